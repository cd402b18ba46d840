using Iced.Intel;
using UserEmu.Backend.Interpreter;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using UserEmu.Memory;
using UserEmu.Tests.TestSupport;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace UserEmu.Tests.Backend;

/// <summary>Flag liveness across a block's exit: the lazy-flag stores die only when every successor sets the flags before reading them.</summary>
public unsafe class FlagLivenessTests
{
    const ulong Code = 0x10000;

    // Block: cmp rax, rbx; jne taken. Fall-through and taken successors as given, both on the block's page unless moved.
    static IrBlock Translate(FakeGuest g, Action<Assembler> fallThrough, Action<Assembler> taken, ulong takenAt = 0)
    {
        var a = new Assembler(64);
        var target = a.CreateLabel();
        a.cmp(rax, rbx);
        a.jne(target);
        fallThrough(a);
        a.jmp(Code);
        if (takenAt == 0)
        {
            a.Label(ref target);
            taken(a);
            a.jmp(Code);
        }
        var bytes = Assemble(a, Code);
        g.Memory.WriteBytes(Code, bytes);
        if (takenAt != 0)
        {
            // A jne to a label on another page: patch its rel32 by hand.
            var far = new Assembler(64);
            taken(far);
            far.jmp(Code);
            g.Memory.WriteBytes(takenAt, Assemble(far, takenAt));
            const ulong jne = 3; // after the 3-byte cmp
            g.Memory.Write(Code + jne + 2, 4, (uint)(takenAt - (Code + jne + 6)));
        }
        return UserEmu.Optimizer.IrOptimizer.Run(g.Process.Frontend.Translate(g.Cpu, Code));
    }

    static byte[] Assemble(Assembler a, ulong at)
    {
        var s = new MemoryStream();
        a.Assemble(new StreamCodeWriter(s), at, BlockEncoderOptions.None);
        return s.ToArray();
    }

    static FakeGuest NewGuest()
    {
        var g = new FakeGuest();
        g.Map(Code, 0x4000, PageFlags.Read | PageFlags.Write | PageFlags.Exec);
        return g;
    }

    static bool StoresFlags(IrBlock b) => b.Code.Any(i => i.Op == IrOp.StoreState && i.Imm == CpuState.OffCcOp);

    [Fact]
    public void SuccessorsThatCompareFirstMakeTheCompareStoresDead()
    {
        using var g = NewGuest();
        var block = Translate(g, f => { f.mov(rcx, __qword_ptr[rsp]); f.test(rcx, rcx); }, t => { t.lea(rdx, __[rax + 8]); t.sub(rdx, 1); });
        Assert.True(block.FlagsDeadAtExit);
        Assert.False(StoresFlags(block));
    }

    [Theory]
    [InlineData("adc")]
    [InlineData("inc")]
    [InlineData("shl-cl")]
    [InlineData("jmp")]
    public void ASuccessorThatMayReadTheFlagsKeepsThem(string first)
    {
        using var g = NewGuest();
        Action<Assembler> reader = first switch
        {
            "adc" => t => t.adc(rdx, 1),
            "inc" => t => { t.inc(rdx); t.cmp(rdx, 3); },
            "shl-cl" => t => { t.shl(rdx, cl); t.cmp(rdx, 3); },
            _ => t => t.jmp(Code),
        };
        var block = Translate(g, f => f.test(rcx, rcx), reader);
        Assert.False(block.FlagsDeadAtExit);
        Assert.True(StoresFlags(block));
    }

    [Fact]
    public void ASuccessorOnAnotherPageKeepsThem()
    {
        // A write to that page would not invalidate this block, so its code is not relied on.
        using var g = NewGuest();
        var block = Translate(g, f => f.test(rcx, rcx), t => t.test(rdx, rdx), takenAt: Code + 0x2000);
        Assert.False(block.FlagsDeadAtExit);
    }

    [Fact]
    public void AdcAfterTheBranchSeesTheCarry()
    {
        // cmp 1, 2 borrows (CF = 1) and differs (jne taken); the taken successor's adc adds the carry.
        using var g = NewGuest();
        Translate(g, f => f.test(rcx, rcx), t => t.adc(rdx, 0));
        g.Cpu.State->Gpr[0] = 1;
        g.Cpu.State->Gpr[3] = 2;
        g.Cpu.State->Gpr[2] = 40;
        g.Cpu.State->Rip = Code;
        var first = PreparedBlock.Prepare(UserEmu.Optimizer.IrOptimizer.Run(g.Process.Frontend.Translate(g.Cpu, Code)));
        IrInterpreter.Run(first, g.Cpu);
        var next = PreparedBlock.Prepare(UserEmu.Optimizer.IrOptimizer.Run(g.Process.Frontend.Translate(g.Cpu, g.Cpu.State->Rip)));
        IrInterpreter.Run(next, g.Cpu);
        Assert.Equal(41UL, g.Cpu.State->Gpr[2]);
    }
}
