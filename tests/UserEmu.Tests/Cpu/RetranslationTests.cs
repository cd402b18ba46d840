using Iced.Intel;
using UserEmu.IR;
using UserEmu.Tests.TestSupport;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace UserEmu.Tests.Cpu;

/// <summary>A block translated again comes out the same, helper immediates included (the instruction table gives an instruction the index it had).</summary>
public class RetranslationTests
{
    const ulong Code = 0x10000;

    [Fact]
    public void ABlockWithHelpersTranslatesToTheSameIrTwice()
    {
        using var g = FakeGuest.WithCodeArea(Code, sideExits: 0);
        var a = new Assembler(64);
        a.cpuid();
        a.add(rax, rbx);
        a.ud2();
        g.WriteCode(a, Code);
        var first = PreparedBlock.Prepare(g.TranslateOptimized(Code));
        var second = PreparedBlock.Prepare(g.TranslateOptimized(Code));
        Assert.Contains(first.CopyCode(), i => i.Op == IrOp.Call && i.Imm != 0);
        Assert.Equal(first.PackedCode, second.PackedCode);
    }
}
