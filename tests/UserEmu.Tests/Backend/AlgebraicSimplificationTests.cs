using UserEmu.Backend.Interpreter;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using UserEmu.Memory;
using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Backend;

/// <summary>Identities constant folding turns into copies, and the near misses it must leave alone.</summary>
public unsafe class AlgebraicSimplificationTests
{
    const ulong DataPage = 0x10000;

    static int Count(IrBlock block, IrOp op) => block.Code.Count(i => i.Op == op);

    [Fact]
    public void IdentitiesBecomeCopiesAndNearMissesStay()
    {
        using var g = new FakeGuest();
        g.Map(DataPage, 4096, PageFlags.Read | PageFlags.Write);
        g.Memory.Write(DataPage, 8, 0xfedc_ba98_7654_3210);
        g.Cpu.State->Gpr[0] = 0xffff_ffff_8000_0001;
        var b = new IrBuilder();
        b.InsnStart(0x1000);
        ushort x = b.LoadState(CpuState.GprOffset(0), 8);
        ushort half = b.Load(b.Const((long)DataPage), 2);
        // Identities: x + 0, 0 | x, x * 1, zext32(zext32(load16)), load16 & 0xffff, x - x, x & x (test r, r).
        b.StoreState(CpuState.GprOffset(1), 8, b.Add(x, b.Const(0)));
        b.StoreState(CpuState.GprOffset(2), 8, b.Binary(IrOp.Or, b.Const(0), x));
        b.StoreState(CpuState.GprOffset(10), 8, b.Binary(IrOp.And, x, x));
        b.StoreState(CpuState.GprOffset(3), 8, b.Binary(IrOp.Mul, x, b.Const(1)));
        b.StoreState(CpuState.GprOffset(4), 8, b.Unary(IrOp.ZExt, b.Unary(IrOp.ZExt, half, 4), 4));
        b.StoreState(CpuState.GprOffset(5), 8, b.Binary(IrOp.And, half, b.Const(0xffff)));
        b.StoreState(CpuState.GprOffset(6), 8, b.Binary(IrOp.Sub, x, x));
        // Near misses: a zero-extension that cuts bits, a mask narrower than the value, 0 - x.
        b.StoreState(CpuState.GprOffset(7), 8, b.Unary(IrOp.ZExt, x, 4));
        b.StoreState(CpuState.GprOffset(8), 8, b.Binary(IrOp.And, half, b.Const(0xff)));
        b.StoreState(CpuState.GprOffset(9), 8, b.Binary(IrOp.Sub, b.Const(0), x));
        b.Jump(0x2000);
        var block = b.Finish(0x1000, 0x1004);
        var copy = new IrBlock { GuestPc = block.GuestPc, GuestEnd = block.GuestEnd, Code = (IrInstr[])block.Code.Clone(), TempCount = block.TempCount, GuestInstructionCount = 1 };

        var optimized = UserEmu.Optimizer.IrOptimizer.Run(copy);

        Assert.Equal(0, Count(optimized, IrOp.Add) + Count(optimized, IrOp.Or) + Count(optimized, IrOp.Mul) + Count(optimized, IrOp.Mov));
        Assert.Equal(1, Count(optimized, IrOp.ZExt));
        Assert.Equal(1, Count(optimized, IrOp.And));
        Assert.Equal(1, Count(optimized, IrOp.Sub));
        IrInterpreter.Run(optimized, g.Cpu);
        ulong xv = 0xffff_ffff_8000_0001;
        ulong[] expected = [xv, xv, xv, xv, 0x3210, 0x3210, 0, 0x8000_0001, 0x10, 0 - xv, xv];
        for (int r = 1; r < 11; r++) Assert.Equal(expected[r], g.Cpu.State->Gpr[r]);
    }
    [Theory]
    [InlineData(0x41UL, 0x41UL)]
    [InlineData(0x41UL, 0x42UL)]
    [InlineData(0x141UL, 0x41UL)]
    public void NarrowCompareOfADifferenceComparesTheOperands(ulong wide, ulong low)
    {
        // cmp r8, m8; je: "zext8(a - b) == 0". With both operands bytes it becomes "a == b"; with one wider
        // (0x141: same low byte) it must stay as it is, and the two blocks must agree.
        using var g = new FakeGuest();
        g.Map(DataPage, 4096, PageFlags.Read | PageFlags.Write);
        g.Memory.Write(DataPage, 1, low);
        g.Cpu.State->Gpr[0] = wide;
        foreach (bool narrow in new[] { true, false })
        {
            var b = new IrBuilder();
            b.InsnStart(0x1000);
            ushort a = b.LoadState(CpuState.GprOffset(0), narrow ? 1 : 8);
            ushort m = b.Load(b.Const((long)DataPage), 1);
            ushort diff = b.Unary(IrOp.ZExt, b.Binary(IrOp.Sub, a, m), 1);
            b.StoreState(CpuState.GprOffset(1), 8, b.Binary(IrOp.CmpEq, diff, b.Const(0)));
            b.Jump(0x2000);
            var block = b.Finish(0x1000, 0x1004);
            var optimized = UserEmu.Optimizer.IrOptimizer.Run(block);
            Assert.Equal(narrow ? 0 : 1, Count(optimized, IrOp.Sub));
            IrInterpreter.Run(optimized, g.Cpu);
            ulong av = narrow ? wide & 0xff : wide;
            Assert.Equal((av - low) % 256 == 0 ? 1UL : 0UL, g.Cpu.State->Gpr[1]);
        }
    }
    [Theory]
    [InlineData(5UL, 5UL)]
    [InlineData(5UL, 0x1_0000_0005UL)]
    public void CompareOfA64BitDifferenceComparesTheOperands(ulong x, ulong y)
    {
        // cmp r64, r64; je: "a - b == 0" is "a == b"; an operand redefined after the sub keeps the sub.
        using var g = new FakeGuest();
        g.Cpu.State->Gpr[0] = x;
        g.Cpu.State->Gpr[1] = y;
        foreach (bool redefined in new[] { false, true })
        {
            var b = new IrBuilder();
            b.InsnStart(0x1000);
            ushort a = b.LoadState(CpuState.GprOffset(0), 8);
            ushort c = b.LoadState(CpuState.GprOffset(1), 8);
            ushort diff = b.Binary(IrOp.Sub, a, c);
            int afterSub = b.Count;
            b.StoreState(CpuState.GprOffset(2), 8, b.Binary(IrOp.CmpEq, diff, b.Const(0)));
            b.StoreState(CpuState.GprOffset(3), 8, a);
            b.Jump(0x2000);
            var block = b.Finish(0x1000, 0x1004);
            if (redefined)
            {
                // The builder never redefines a temp; an optimiser pass may: a = state[rbx] again, right after the sub.
                var code = block.Code.ToList();
                code.Insert(afterSub, new IrInstr { Op = IrOp.LoadState, Dst = a, Imm = CpuState.GprOffset(1), Size = 8 });
                block = new IrBlock { GuestPc = block.GuestPc, GuestEnd = block.GuestEnd, Code = [.. code], TempCount = block.TempCount, GuestInstructionCount = 1 };
            }
            var optimized = UserEmu.Optimizer.IrOptimizer.Run(block);
            Assert.Equal(redefined ? 1 : 0, Count(optimized, IrOp.Sub));
            IrInterpreter.Run(optimized, g.Cpu);
            Assert.Equal(x == y ? 1UL : 0UL, g.Cpu.State->Gpr[2]);
        }
    }
    [Theory]
    [InlineData(0xff, 1)]
    [InlineData(0xfe, 2)]
    public void ByteSignsOfACompareMaskAreTheCompareBits(long spread, int ands)
    {
        // pcmpeqb then pmovmskb as SWAR IR: m = (s & 0x80..) >> 7, mask = m * 0xff, then the mask's byte signs
        // ((mask & 0x80..) >> 7) are m again. A multiplier other than 0xff (near miss) keeps the computation.
        const long High = unchecked((long)0x8080_8080_8080_8080);
        var random = new Random(5);
        for (int n = 0; n < 20; n++)
        {
            ulong input = (ulong)random.NextInt64();
            using var g = new FakeGuest();
            g.Cpu.State->Gpr[0] = input;
            var b = new IrBuilder();
            b.InsnStart(0x1000);
            ushort m = b.ShrImm(b.AndImm(b.LoadState(CpuState.GprOffset(0), 8), High), 7);
            ushort mask = b.Binary(IrOp.Mul, m, b.Const(spread));
            b.StoreState(CpuState.GprOffset(1), 8, mask);
            ushort signs = b.ShrImm(b.AndImm(mask, High), 7);
            b.StoreState(CpuState.GprOffset(2), 8, b.ShrImm(b.Binary(IrOp.Mul, signs, b.Const(0x0102_0408_1020_4080)), 56));
            b.Jump(0x2000);
            var optimized = UserEmu.Optimizer.IrOptimizer.Run(b.Finish(0x1000, 0x1004));
            Assert.Equal(ands, Count(optimized, IrOp.And));
            IrInterpreter.Run(optimized, g.Cpu);
            ulong expectedMask = ((input & 0x8080_8080_8080_8080) >> 7) * (ulong)spread;
            Assert.Equal(expectedMask, g.Cpu.State->Gpr[1]);
            ulong expectedSigns = (((expectedMask & 0x8080_8080_8080_8080) >> 7) * 0x0102_0408_1020_4080) >> 56;
            Assert.Equal(expectedSigns, g.Cpu.State->Gpr[2]);
        }
    }
    [Fact]
    public void TestOfARegisterLoadedTwiceIsTheRegister()
    {
        // mov edx, ecx; test edx, edx: each 32-bit read of rdx is forwarded as its own zero-extension of the stored
        // value, which folding turns into copies of it; the and of the two copies goes.
        using var g = new FakeGuest();
        g.Cpu.State->Gpr[1] = 0x1234_5678_9abc_def0;
        var b = new IrBuilder();
        b.InsnStart(0x1000);
        ushort v = b.ZExt(b.LoadState(CpuState.GprOffset(1), 8), 4);
        b.StoreState(CpuState.GprOffset(2), 8, v);
        ushort x = b.LoadState(CpuState.GprOffset(2), 4), y = b.LoadState(CpuState.GprOffset(2), 4);
        b.StoreState(CpuState.GprOffset(3), 8, b.And(x, y));
        b.Jump(0x2000);
        var optimized = UserEmu.Optimizer.IrOptimizer.Run(b.Finish(0x1000, 0x1004));
        Assert.Equal(0, Count(optimized, IrOp.And));
        IrInterpreter.Run(optimized, g.Cpu);
        Assert.Equal(0x9abc_def0UL, g.Cpu.State->Gpr[3]);
    }
}
