using System.Runtime.CompilerServices;
using UserEmu.IR;
using Xunit;

namespace UserEmu.Tests.Backend;

/// <summary>The IR op's packed fields (a branch's second target in B, C and Helper, a fault PC as an offset in C) and the byte encoding retained blocks keep.</summary>
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
            Assert.Equal(0x40_1234UL, (ulong)((long)prepared.GuestPc + i.FaultPcOffset));
        }
    }

    [Fact]
    public void PackedOpsDecodeToTheSameOps()
    {
        var rng = new Random(7);
        ushort[] temps = [0, 1, 127, 128, 16383, 16384, ushort.MaxValue];
        long[] imms = [0, 1, -1, 63, 64, -64, -65, long.MaxValue, long.MinValue, 0x7fff_ffff_ffff, unchecked((long)0xffff_ffff_ff60_0000UL)];
        var ops = new IrInstr[300];
        for (int k = 0; k < ops.Length; k++)
        {
            ushort T() => rng.Next(3) == 0 ? (ushort)rng.Next(65536) : temps[rng.Next(temps.Length)];
            ops[k] = new IrInstr
            {
                Op = (IrOp)rng.Next(Enum.GetValues<IrOp>().Length), Size = (byte)(rng.Next(2) * rng.Next(256)),
                Aux = (byte)(rng.Next(2) * rng.Next(256)), Dst = T(), A = T(), B = T(), C = T(), Helper = T(),
                Imm = rng.Next(3) == 0 ? rng.NextInt64(long.MinValue, long.MaxValue) : imms[rng.Next(imms.Length)],
            };
        }
        var packed = PackedIr.Pack(ops);
        Assert.Equal(ops.Length, PackedIr.Count(packed));
        var decoded = new IrInstr[ops.Length];
        PackedIr.Unpack(packed, decoded);
        for (int k = 0; k < ops.Length; k++)
        {
            var (a, b) = (ops[k], decoded[k]);
            Assert.Equal((a.Op, a.Size, a.Aux, a.Dst, a.A, a.B, a.C, a.Helper, a.Imm), (b.Op, b.Size, b.Aux, b.Dst, b.A, b.B, b.C, b.Helper, b.Imm));
        }
    }

    [Fact]
    public void BlocksOfEqualLengthDecodeApartAndCopiesAreTheirOwn()
    {
        PreparedBlock Block(ulong pc, long value)
        {
            var b = new IrBuilder();
            b.InsnStart(pc);
            b.StoreState(0, 8, b.Const(value));
            b.Jump(pc + 4);
            return PreparedBlock.Prepare(b.Finish(pc, pc + 4));
        }
        var (first, second) = (Block(0x1000, 5), Block(0x2000, 6));
        Assert.Equal(first.OpCount, second.OpCount);
        var copy = first.CopyCode();
        Assert.Equal(0x1004L, first.Code[^1].Imm);
        Assert.Equal(0x2004L, second.Code[^1].Imm);
        // The per-thread array now holds the second block; the copy still holds the first.
        Assert.Equal(0x1004L, copy[^1].Imm);
        Assert.Equal(0x1004L, first.Code[^1].Imm);
        // What runs reads a buffer by PC: 0x41000 takes the same one as 0x1000.
        var third = Block(0x41000, 7);
        Assert.Equal(0x1004L, first.Ops[^1].Imm);
        Assert.Equal(0x41004L, third.Ops[^1].Imm);
        Assert.Equal(first.OpCount, first.Ops.Length);
        Assert.Equal(0x1004L, first.Ops[^1].Imm);
    }
}
