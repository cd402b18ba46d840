using System.Runtime.CompilerServices;
using UserEmu.IR;
using Xunit;

namespace UserEmu.Tests.Backend;

/// <summary>The IR op's packed fields: a branch's second target in B, C and Helper, a fault PC as an offset in C.</summary>
public class IrInstrLayoutTests
{
    [Fact]
    public void AnOpIs24Bytes() => Assert.Equal(24, Unsafe.SizeOf<IrInstr>());

    [Theory]
    [InlineData(0x401000L)]
    [InlineData(0x7fff_ffff_ffffL)]
    [InlineData(unchecked((long)0xffff_ffff_ff60_0000UL))] // the vsyscall page, in the canonical upper half
    [InlineData(0L)]
    public void BranchKeepsItsSecondTarget(long target)
    {
        var b = new IrBuilder();
        b.InsnStart(0x1000);
        b.Branch(b.Const(1), 0x2000, (ulong)target);
        var block = b.Finish(0x1000, 0x1004);
        ref readonly var branch = ref block.Code[^1];
        Assert.Equal(IrOp.Branch, branch.Op);
        Assert.Equal(target, branch.Imm2);
        Assert.Equal(0x2000L, branch.Imm);
    }

    [Fact]
    public void PreparedAccessesKeepTheirFaultPc()
    {
        var b = new IrBuilder();
        b.InsnStart(0x40_1000);
        b.InsnStart(0x40_1234);
        ushort v = b.Load(b.Const(0x5000), 8);
        b.Store(b.Const(0x6000), v, 8);
        b.Jump(0x40_2000);
        var prepared = PreparedBlock.Prepare(b.Finish(0x40_1000, 0x40_1240));
        foreach (var i in prepared.Code)
        {
            if (i.Op is not (IrOp.Load or IrOp.Store)) continue;
            Assert.Equal(1, i.Aux);
            Assert.Equal(0x40_1234UL, prepared.GuestPc + i.FaultPcOffset);
        }
    }
}
