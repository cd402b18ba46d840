using UserEmu.Backend.IL;
using UserEmu.Backend.Interpreter;
using UserEmu.Backend.Native;
using UserEmu.Cpu.X86;
using UserEmu.Engine;
using UserEmu.IR;
using UserEmu.Memory;
using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Backend;

/// <summary>The native tier and the IL backend must compute exactly what the IR interpreter (the reference) computes, on the same IR.</summary>
public unsafe class BackendAgreementTests
{
    const ulong DataPage = 0x10000;

    static readonly IrOp[] Binary =
    [
        IrOp.Add, IrOp.Sub, IrOp.And, IrOp.Or, IrOp.Xor, IrOp.Shl, IrOp.Shr, IrOp.Sar, IrOp.Rol, IrOp.Ror, IrOp.Mul,
        IrOp.MulHiU, IrOp.MulHiS, IrOp.CmpEq, IrOp.CmpNe, IrOp.CmpLtU, IrOp.CmpLeU, IrOp.CmpLtS, IrOp.CmpLeS,
    ];
    static readonly IrOp[] Unary = [IrOp.Neg, IrOp.Not, IrOp.ZExt, IrOp.SExt, IrOp.Bswap, IrOp.Mov];
    static readonly int[] Sizes = [1, 2, 4, 8];

    static ulong Interesting(Random r) => r.Next(6) switch
    {
        0 => 0,
        1 => ulong.MaxValue,
        2 => 1UL << r.Next(64),
        3 => (ulong)r.Next(256),
        4 => 0x8000_0000_0000_0000,
        _ => (ulong)r.NextInt64() ^ ((ulong)r.Next() << 40),
    };

    /// <summary>A random straight-line block: constants, ops, guest loads/stores to a data page, state stores, an exit.</summary>
    static IrBlock RandomBlock(Random r)
    {
        var b = new IrBuilder();
        b.InsnStart(0x1000);
        var live = new List<ushort>();
        for (int k = 0; k < 4; k++) live.Add(b.Const(Interesting(r)));
        for (int n = 0; n < 40; n++)
        {
            ushort Pick() => live[r.Next(live.Count)];
            int size = Sizes[r.Next(4)];
            switch (r.Next(10))
            {
                case < 5: live.Add(b.Binary(Binary[r.Next(Binary.Length)], Pick(), Pick(), size)); break;
                case 5: live.Add(b.Unary(Unary[r.Next(Unary.Length)], Pick(), size)); break;
                case 6: live.Add(b.Select(Pick(), Pick(), Pick())); break;
                case 7:
                {
                    ushort addr = b.Const((long)DataPage + r.Next(4096 - 8));
                    b.Store(addr, Pick(), size);
                    live.Add(b.Load(addr, Sizes[r.Next(4)]));
                    break;
                }
                case 8: b.StoreState(CpuState.GprOffset(r.Next(16)), size, Pick()); break;
                case 9 when r.Next(3) == 0: SideExit(b, r, Pick(), Pick(), 0x4000 + (ulong)n * 16); break;
                default: live.Add(b.LoadState(CpuState.GprOffset(r.Next(16)), size)); break;
            }
        }
        for (int g = 0; g < 16; g++) b.StoreState(CpuState.GprOffset(g), 8, live[r.Next(live.Count)]);
        b.Branch(live[^1], 0x2000, 0x3000);
        return b.Finish(0x1000, 0x1010);
    }

    static readonly IrOp[] Compares = [IrOp.CmpEq, IrOp.CmpNe, IrOp.CmpLtU, IrOp.CmpLeU, IrOp.CmpLtS, IrOp.CmpLeS];

    // A superblock's side exit on a compare of x and y, or on its negation (which the optimiser turns into the opposite
    // compare). Some targets lie below the block's PC, where the native tier spends budget (not the block's own PC: a
    // region would loop on it for ever).
    static void SideExit(IrBuilder b, Random r, ushort x, ushort y, ulong target)
    {
        ushort c = b.Binary(Compares[r.Next(Compares.Length)], x, y, 8);
        if (r.Next(2) == 0) c = b.Binary(IrOp.Xor, c, b.Const(1), 8);
        b.SideExit(c, r.Next(4) == 0 ? 0x800 : target);
    }

    static (ulong[] Regs, ulong Rip, byte[] Data) Snapshot(FakeGuest g)
    {
        var regs = new ulong[16];
        for (int k = 0; k < 16; k++) regs[k] = g.Cpu.State->Gpr[k];
        return (regs, g.Cpu.State->Rip, g.Memory.ReadSpan(DataPage, 4096).ToArray());
    }

    /// <summary>NativeChained: direct exits (and side exits) as chained code emits them, unlinked (back to the runner with their link slot).</summary>
    public enum Tier { Interpreter, Native, Il, NativeChained }

    public static TheoryData<Tier> AllTiers => [Tier.Interpreter, Tier.Native, Tier.Il];

    static BlockExit RunOn(Tier tier, IrBlock block, FakeGuest g)
    {
        switch (tier)
        {
            case Tier.Native or Tier.NativeChained:
                var code = NativeBlockCompiler.Compile(PreparedBlock.Prepare(block), NativeCodeArena.Shared, chain: tier == Tier.NativeChained);
                Assert.True(code != null, "the native tier refused the block");
                return NativeBlockRunner.Run(code.Body, g.Cpu, NativeCodeArena.Shared, out _);
            case Tier.Il:
                return (BlockExit)IlBlockCompiler.Compile(block, g.Memory)(g.Cpu, g.Cpu.State);
            default:
                return IrInterpreter.Run(block, g.Cpu);
        }
    }

    [Fact]
    public void RandomBlocksAgree()
    {
        var rng = new Random(1234);
        using var g = new FakeGuest();
        g.Map(DataPage, 4096, PageFlags.Read | PageFlags.Write);
        for (int iter = 0; iter < 300; iter++)
        {
            var block = RandomBlock(rng);
            var init = Enumerable.Range(0, 16).Select(_ => Interesting(rng)).ToArray();
            void Reset()
            {
                g.Cpu.State->Reset();
                for (int k = 0; k < 16; k++) g.Cpu.State->Gpr[k] = init[k];
                g.Memory.WriteSpan(DataPage, 4096).Clear();
            }
            Reset();
            var e1 = IrInterpreter.Run(block, g.Cpu);
            var expected = Snapshot(g);
            foreach (var tier in new[] { Tier.Native, Tier.Il, Tier.NativeChained })
            {
                Reset();
                var e2 = RunOn(tier, block, g);
                var actual = Snapshot(g);
                Assert.Equal(e1, e2);
                Assert.True(expected.Regs.SequenceEqual(actual.Regs), $"{tier}: registers differ for block:\n{IrPrinter.Format(block)}");
                Assert.Equal(expected.Rip, actual.Rip);
                Assert.True(expected.Data.SequenceEqual(actual.Data), $"{tier}: guest memory differs");
            }

            // The optimiser must not change what a block does.
            var copy = new IrBlock { GuestPc = block.GuestPc, GuestEnd = block.GuestEnd, Code = (IrInstr[])block.Code.Clone(), TempCount = block.TempCount, GuestInstructionCount = 1 };
            var optimized = UserEmu.Optimizer.IrOptimizer.Run(copy);
            Reset();
            Assert.Equal(e1, IrInterpreter.Run(optimized, g.Cpu));
            var opt = Snapshot(g);
            Assert.True(expected.Regs.SequenceEqual(opt.Regs), $"optimised block differs:\n{IrPrinter.Format(optimized)}");
            Assert.True(expected.Data.SequenceEqual(opt.Data), "optimised block wrote different memory");
        }
    }

    /// <summary>
    /// A random block whose accesses go through addresses derived from two base registers by chains of Add/Sub/Mov of
    /// constants (stack slots and struct fields: the native tier folds them into its addressing mode and drops the
    /// arithmetic), some of which are also read as values (then nothing is dropped).
    /// </summary>
    static IrBlock RandomBaseRelativeBlock(Random r)
    {
        var b = new IrBuilder();
        b.InsnStart(0x1000);
        var live = new List<ushort> { b.Const(Interesting(r)), b.LoadState(CpuState.GprOffset(7), 8) };
        // Per base: its derived addresses and their offsets from it.
        var addrs = new[] { new List<(ushort T, long Off)>(), new List<(ushort T, long Off)>() };
        addrs[0].Add((b.LoadState(CpuState.GprOffset(5), 8), 0));
        addrs[1].Add((b.LoadState(CpuState.GprOffset(6), 8), 0));
        for (int n = 0; n < 40; n++)
        {
            ushort Pick() => live[r.Next(live.Count)];
            var chain = addrs[r.Next(2)];
            var (from, off) = chain[r.Next(chain.Count)];
            int size = Sizes[r.Next(4)];
            switch (r.Next(8))
            {
                case 0:
                {
                    long d = r.Next(-64, 64) * 8;
                    if (Math.Abs(off + d) > 512) d = -d;
                    chain.Add((r.Next(2) == 0 ? b.AddImm(from, d) : b.Binary(IrOp.Add, b.Const(d), from, 8), off + d));
                    break;
                }
                case 1:
                {
                    long d = r.Next(-64, 64);
                    if (Math.Abs(off - d) > 512) d = -d;
                    chain.Add((b.Binary(IrOp.Sub, from, b.Const(d), 8), off - d));
                    break;
                }
                case 2: chain.Add((b.Unary(IrOp.Mov, from, 8), off)); break;
                case 3: b.Store(from, Pick(), size); break;
                case 4: live.Add(b.Load(from, size)); break;
                case 5: live.Add(from); break; // An address read as a value.
                case 6: live.Add(b.Binary(Binary[r.Next(Binary.Length)], Pick(), Pick(), size)); break;
                case 7 when r.Next(4) == 0: SideExit(b, r, Pick(), Pick(), 0x4000 + (ulong)n * 16); break;
                default: b.StoreState(CpuState.GprOffset(r.Next(4)), size, Pick()); break;
            }
        }
        for (int g = 0; g < 5; g++) b.StoreState(CpuState.GprOffset(g), 8, live[r.Next(live.Count)]);
        b.Branch(live[^1], 0x2000, 0x3000);
        return b.Finish(0x1000, 0x1010);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RandomBaseRelativeBlocksAgree(bool codeOnPage)
    {
        // With translated code on the data page, every group that stores fails its check, and the native tier leaves
        // the rest of the block to the interpreter, which reads the addresses the native code never computed.
        var rng = new Random(codeOnPage ? 99 : 98);
        using var g = new FakeGuest();
        g.Map(DataPage, 4096, PageFlags.Read | PageFlags.Write);
        for (int iter = 0; iter < 2000; iter++)
        {
            var block = RandomBaseRelativeBlock(rng);
            var init = Enumerable.Range(0, 16).Select(_ => Interesting(rng)).ToArray();
            init[5] = DataPage + 1024 + (ulong)rng.Next(64);
            init[6] = DataPage + 3072 + (ulong)rng.Next(64);
            void Reset()
            {
                g.Cpu.State->Reset();
                for (int k = 0; k < 16; k++) g.Cpu.State->Gpr[k] = init[k];
                g.Memory.WriteSpan(DataPage, 4096).Clear();
                if (codeOnPage) g.Memory.MarkCodePage(DataPage);
            }
            Reset();
            var e1 = IrInterpreter.Run(block, g.Cpu);
            var expected = Snapshot(g);
            Reset();
            var e2 = RunOn(Tier.Native, block, g);
            var actual = Snapshot(g);
            Assert.Equal(e1, e2);
            Assert.True(expected.Regs.SequenceEqual(actual.Regs), $"registers differ for block:\n{IrPrinter.Format(block)}");
            Assert.True(expected.Data.SequenceEqual(actual.Data), $"guest memory differs for block:\n{IrPrinter.Format(block)}");
        }
    }

    [Theory]
    [MemberData(nameof(AllTiers))]
    public void FaultingLoadRecordsPcAndLeavesLaterStateUntouched(Tier tier)
    {
        using var g = new FakeGuest();
        g.Map(DataPage, 4096, PageFlags.Read);
        var b = new IrBuilder();
        b.InsnStart(0x1000);
        b.StoreState(CpuState.GprOffset(0), 8, b.Const(7));
        b.InsnStart(0x1004);
        ushort v = b.Load(b.Const(0x50000), 8);
        b.StoreState(CpuState.GprOffset(1), 8, v);
        b.Jump(0x2000);
        var block = b.Finish(0x1000, 0x1008);
        var ex = Assert.Throws<GuestFaultException>(() => RunOn(tier, block, g));
        Assert.Equal(0x50000UL, ex.Address);
        Assert.Equal(FaultKind.Unmapped, ex.Kind);
        Assert.Equal(0x1004UL, g.Cpu.State->Rip);
        Assert.Equal(7UL, g.Cpu.State->Gpr[0]);
        Assert.Equal(0UL, g.Cpu.State->Gpr[1]);
    }

    [Theory]
    [MemberData(nameof(AllTiers))]
    public void FaultSeesStoresThatALaterStoreOverwrites(Tier tier)
    {
        // The native tier leaves a state store overwritten later in the block out of the fast path, and makes it only
        // when an access in between goes to the managed side: a fault there must still see it, and a store that
        // partly overlaps it (not overwritten itself) must keep its newer bytes.
        using var g = new FakeGuest();
        g.Map(DataPage, 4096, PageFlags.Read);
        g.Cpu.State->Gpr[5] = 0x1111_1111_1111_1110;
        var b = new IrBuilder();
        b.InsnStart(0x1000);
        ushort a = b.AddImm(b.LoadState(CpuState.GprOffset(5), 8), 1);
        b.StoreState(CpuState.GprOffset(0), 8, b.Const(7));
        b.StoreState(CpuState.GprOffset(3), 8, a);
        b.StoreState(CpuState.GprOffset(3) + 4, 8, b.Const(0x2222_2222_3333_3333));
        b.InsnStart(0x1004);
        ushort v = b.Load(b.Const(0x50000), 8);
        b.StoreState(CpuState.GprOffset(0), 8, v);
        b.StoreState(CpuState.GprOffset(3), 8, v);
        b.Jump(0x2000);
        var block = b.Finish(0x1000, 0x1008);
        var ex = Assert.Throws<GuestFaultException>(() => RunOn(tier, block, g));
        Assert.Equal(0x50000UL, ex.Address);
        Assert.Equal(0x1004UL, g.Cpu.State->Rip);
        Assert.Equal(7UL, g.Cpu.State->Gpr[0]);
        Assert.Equal(0x3333_3333_1111_1111UL, g.Cpu.State->Gpr[3]);
        Assert.Equal(0x2222_2222UL, g.Cpu.State->Gpr[4]);
    }

    [Theory]
    [MemberData(nameof(AllTiers))]
    public void FaultSeesFlagStoresThatNoSuccessorReads(Tier tier)
    {
        // With the lazy flags dead at the block's exit, the native tier makes a flag store followed by an access only
        // in that access's stub: a fault there must still see the flags of the instruction before it.
        using var g = new FakeGuest();
        g.Map(DataPage, 4096, PageFlags.Read);
        g.Cpu.State->Gpr[5] = 41;
        var b = new IrBuilder();
        b.InsnStart(0x1000);
        ushort x = b.LoadState(CpuState.GprOffset(5), 8);
        ushort sum = b.AddImm(x, 1);
        b.StoreState(CpuState.GprOffset(5), 8, sum);
        b.StoreState(CpuState.OffCcOp, 4, b.Const(7));
        b.StoreState(CpuState.OffCcDst, 8, sum);
        b.StoreState(CpuState.OffCcSrc, 8, x);
        b.InsnStart(0x1004);
        ushort v = b.Load(b.Const(0x50000), 8);
        b.StoreState(CpuState.GprOffset(1), 8, v);
        b.Jump(0x2000);
        var block = b.Finish(0x1000, 0x1008);
        block.FlagsDeadAtExit = true;
        var ex = Assert.Throws<GuestFaultException>(() => RunOn(tier, block, g));
        Assert.Equal(0x50000UL, ex.Address);
        Assert.Equal(0x1004UL, g.Cpu.State->Rip);
        Assert.Equal(7, (int)g.Cpu.State->CcOp);
        Assert.Equal(42UL, g.Cpu.State->CcDst);
        Assert.Equal(41UL, g.Cpu.State->CcSrc);
    }

    [Theory]
    [MemberData(nameof(AllTiers))]
    public void StoreToReadOnlyPageIsAccessFault(Tier tier)
    {
        using var g = new FakeGuest();
        g.Map(DataPage, 4096, PageFlags.Read);
        var b = new IrBuilder();
        b.InsnStart(0x1000);
        b.Store(b.Const((long)DataPage + 8), b.Const(1), 4);
        b.Jump(0x2000);
        var block = b.Finish(0x1000, 0x1004);
        var ex = Assert.Throws<GuestFaultException>(() => RunOn(tier, block, g));
        Assert.Equal(FaultKind.Protection, ex.Kind);
        Assert.True(ex.IsWrite);
    }

    [Theory]
    [MemberData(nameof(AllTiers))]
    public void AccessesOffOneBaseFaultAtTheOneThatFaults(Tier tier)
    {
        // Two pushes' worth of stores off one RSP value (one group in compiled code, one page check for both): the
        // first lands in the last 8 bytes of a mapped page, the second in the unmapped page after it.
        using var g = new FakeGuest();
        g.Map(DataPage, 4096, PageFlags.Read | PageFlags.Write);
        g.Cpu.State->Gpr[4] = DataPage + 4096 + 8;
        var b = new IrBuilder();
        b.InsnStart(0x1000);
        ushort rsp = b.LoadState(CpuState.GprOffset(4), 8);
        ushort low = b.Sub(rsp, b.Const(16));
        b.Store(low, b.Const(11), 8);
        b.InsnStart(0x1004);
        b.Store(b.AddImm(low, 8), b.Const(22), 8);
        b.StoreState(CpuState.GprOffset(0), 8, b.Const(1));
        b.Jump(0x2000);
        var block = b.Finish(0x1000, 0x1008);
        var ex = Assert.Throws<GuestFaultException>(() => RunOn(tier, block, g));
        Assert.Equal(DataPage + 4096, ex.Address);
        Assert.Equal(0x1004UL, g.Cpu.State->Rip);
        Assert.Equal(11UL, g.Memory.Read(DataPage + 4088, 8));
        Assert.Equal(0UL, g.Cpu.State->Gpr[0]);

        // Both in the mapped page: the group's one check passes and both stores land.
        g.Cpu.State->Gpr[4] = DataPage + 64;
        RunOn(tier, block, g);
        Assert.Equal(11UL, g.Memory.Read(DataPage + 48, 8));
        Assert.Equal(22UL, g.Memory.Read(DataPage + 56, 8));
    }

    static ulong AddOne(Vcpu cpu, ulong a, ulong b, long imm) => a + b + (ulong)imm;

    /// <summary>Two writable data pages, the second holding translated code; <paramref name="written"/> collects the code pages stores invalidate.</summary>
    static FakeGuest GuestWithCodePage(out List<ulong> written)
    {
        var g = new FakeGuest();
        g.Map(DataPage, 8192, PageFlags.Read | PageFlags.Write);
        g.Memory.MarkCodePage(DataPage + 4096);
        var pages = new List<ulong>();
        g.Memory.CodePageWritten = (page, _) => pages.Add(page);
        written = pages;
        return g;
    }

    [Theory]
    [MemberData(nameof(AllTiers))]
    public void PageCrossingAccessesCodePageWritesAndHelperCallsTakeTheCheckedPath(Tier tier)
    {
        using var g = GuestWithCodePage(out var written);
        var b = new IrBuilder();
        b.InsnStart(0x1000);
        ushort across = b.Const((long)DataPage + 4092);
        b.Store(across, b.Const(0x1122334455667788), 8);
        ushort back = b.Load(across, 8);
        ushort sum = b.Call(AddOne, back, b.Const(1), 2);
        b.StoreState(CpuState.GprOffset(3), 8, sum);
        b.StoreState(CpuState.GprOffset(5), 4, b.Load(b.Const((long)DataPage + 4094), 4));
        b.Syscall(0x1234);
        var block = b.Finish(0x1000, 0x1008);

        Assert.Equal(BlockExit.Syscall, RunOn(tier, block, g));
        Assert.Equal(0x1122334455667788UL + 3, g.Cpu.State->Gpr[3]);
        Assert.Equal(0x33445566UL, g.Cpu.State->Gpr[5]);
        Assert.Equal(0x1234UL, g.Cpu.State->Rip);
        Assert.Equal([DataPage + 4096], written);
    }

    [Theory]
    [MemberData(nameof(AllTiers))]
    public void TempsLiveAcrossTheManagedSideKeepTheirValues(Tier tier)
    {
        // More values live at once than the native tier has registers for temps, across a helper call, a page-crossing
        // load and a page-crossing store (each performed by the managed side, which reads and writes the frame).
        using var g = new FakeGuest();
        g.Map(DataPage, 8192, PageFlags.Read | PageFlags.Write);
        g.Memory.Write(DataPage + 4092, 8, 0x0102030405060708);
        for (int r = 0; r < 10; r++) g.Cpu.State->Gpr[r] = 0x1000UL * (ulong)(r + 1);
        var b = new IrBuilder();
        b.InsnStart(0x1000);
        var v = new ushort[10];
        for (int r = 0; r < 10; r++) v[r] = b.Add(b.LoadState(CpuState.GprOffset(r), 8), b.Const(r));
        ushort across = b.Const((long)DataPage + 4092);
        ushort loaded = b.Load(across, 8);
        ushort called = b.Call(AddOne, v[0], v[9], 5);
        b.Store(b.Const((long)DataPage + 4094), b.Add(loaded, v[1]), 4);
        for (int r = 0; r < 10; r++) b.StoreState(CpuState.GprOffset(r), 8, b.Add(v[r], v[(r + 1) % 10]));
        b.StoreState(CpuState.GprOffset(10), 8, loaded);
        b.StoreState(CpuState.GprOffset(11), 8, called);
        b.Jump(0x2000);
        var block = b.Finish(0x1000, 0x1008);

        Assert.Equal(BlockExit.Next, RunOn(tier, block, g));
        ulong V(int r) => 0x1000UL * (ulong)(r + 1) + (ulong)r;
        for (int r = 0; r < 10; r++) Assert.Equal(V(r) + V((r + 1) % 10), g.Cpu.State->Gpr[r]);
        Assert.Equal(0x0102030405060708UL, g.Cpu.State->Gpr[10]);
        Assert.Equal(V(0) + V(9) + 5, g.Cpu.State->Gpr[11]);
        Assert.Equal((uint)(0x0102030405060708UL + V(1)), (uint)g.Memory.Read(DataPage + 4094, 4));
    }

    [Fact]
    public void ConditionsAndFlagsOfRunTimeFlagStatesAgree()
    {
        // The native tier redoes sub, add and logic ops on the host for a condition or the six flags whose CcOp is
        // known only at run time, tests CcDst for ZF and SF of any op, takes CF from CcSrc after inc, dec and sar (and
        // CF/OF after mul), computes the six flags of shifts, and loads materialised flags into the host's; the rest
        // goes to the helper. Every condition and the flags
        // (cc 16), every size, edge and random operands.
        using var g = new FakeGuest();
        var rng = new Random(77);
        ulong[] edges = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff,
            0x7fff_ffff_ffff_ffff, 0x8000_0000_0000_0000, ulong.MaxValue];
        var ops = Enum.GetValues<CcOp>();
        for (int cc = 0; cc <= 16; cc++)
        {
            var b = new IrBuilder();
            b.InsnStart(0x1000);
            ushort packed = b.LoadState(CpuState.GprOffset(0), 8);
            ushort dst = b.LoadState(CpuState.GprOffset(1), 8);
            ushort src = b.LoadState(CpuState.GprOffset(2), 8);
            b.StoreState(CpuState.GprOffset(3), 8, cc < 16
                ? b.PureCall(FlagHelpers.ConditionPure, packed, dst, src, cc)
                : b.PureCall(FlagHelpers.ComputePure, packed, dst, src));
            b.Jump(0x2000);
            var block = b.Finish(0x1000, 0x1004);
            var native = NativeBlockCompiler.Compile(PreparedBlock.Prepare(block), NativeCodeArena.Shared)!;
            for (int n = 0; n < 1500; n++)
            {
                var op = ops[rng.Next(ops.Length)];
                ulong d = n % 2 == 0 ? edges[rng.Next(edges.Length)] : (ulong)rng.NextInt64();
                ulong sv = n % 3 == 0 ? edges[rng.Next(edges.Length)] : (ulong)rng.NextInt64();
                ulong[] regs = [(ulong)op | (ulong)rng.Next(2) << 32, d, sv];
                ulong Run(bool onNative)
                {
                    g.Cpu.State->Reset();
                    for (int r = 0; r < 3; r++) g.Cpu.State->Gpr[r] = regs[r];
                    if (onNative) NativeBlockRunner.Run(native.Body, g.Cpu, NativeCodeArena.Shared, out _);
                    else IrInterpreter.Run(block, g.Cpu);
                    return g.Cpu.State->Gpr[3];
                }
                Assert.True(Run(false) == Run(true), $"{op} dst 0x{d:x} src 0x{sv:x} {(cc < 16 ? $"condition {(Cond)cc}" : "flags")}");
            }
        }
    }

    [Fact]
    public void BranchesOnComparesAndTheirNegationsAgree()
    {
        // jcc's IR is "branch on cmp" or "branch on cmp ^ 1": the optimiser branches on the compare with the targets
        // swapped, and chained native code turns a compare only a branch reads into cmp and jcc. Every compare, plain
        // and negated, on edge and random operands, against the unoptimised block in the interpreter.
        using var g = new FakeGuest();
        var rng = new Random(2026_12_02);
        ulong[] edges = [0, 1, 0x7fff_ffff_ffff_ffff, 0x8000_0000_0000_0000, ulong.MaxValue, 0xffff_ffff];
        IrOp[] compares = [IrOp.CmpEq, IrOp.CmpNe, IrOp.CmpLtU, IrOp.CmpLeU, IrOp.CmpLtS, IrOp.CmpLeS];
        foreach (var op in compares)
        {
            foreach (bool negate in new[] { false, true })
            {
                var b = new IrBuilder();
                b.InsnStart(0x1000);
                ushort c = b.Binary(op, b.LoadState(CpuState.GprOffset(0), 8), b.LoadState(CpuState.GprOffset(1), 8));
                b.Branch(negate ? b.Xor(c, b.Const(1)) : c, 0x3000, 0x2000);
                var block = b.Finish(0x1000, 0x1004);
                var copy = new IrBlock { GuestPc = block.GuestPc, GuestEnd = block.GuestEnd, Code = (IrInstr[])block.Code.Clone(), TempCount = block.TempCount, GuestInstructionCount = 1 };
                var optimized = UserEmu.Optimizer.IrOptimizer.Run(copy);
                if (negate) Assert.DoesNotContain(optimized.Code, i => i.Op == IrOp.Xor);
                var native = NativeBlockCompiler.Compile(PreparedBlock.Prepare(optimized), NativeCodeArena.Shared, chain: true)!;
                for (int n = 0; n < 64; n++)
                {
                    ulong x = n % 2 == 0 ? edges[rng.Next(edges.Length)] : (ulong)rng.NextInt64();
                    ulong y = n % 3 == 0 ? x : n % 3 == 1 ? edges[rng.Next(edges.Length)] : (ulong)rng.NextInt64();
                    ulong Target(bool onNative)
                    {
                        g.Cpu.State->Reset();
                        g.Cpu.State->Gpr[0] = x;
                        g.Cpu.State->Gpr[1] = y;
                        if (onNative) NativeBlockRunner.Run(native.Body, g.Cpu, NativeCodeArena.Shared, out _);
                        else IrInterpreter.Run(block, g.Cpu);
                        return g.Cpu.State->Rip;
                    }
                    Assert.True(Target(false) == Target(true), $"{(negate ? "not " : "")}{op} 0x{x:x}, 0x{y:x}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllTiers))]
    public void AccessGroupWithAFarOffsetFromItsBase(Tier tier)
    {
        // A base far from the accessed page, with offsets beyond 32 bits (a mutated program produced one): the group's
        // span check still finds the page.
        using var g = new FakeGuest();
        g.Map(DataPage, 4096, PageFlags.Read | PageFlags.Write);
        const long Far = 1L << 40;
        g.Cpu.State->Gpr[4] = DataPage + (ulong)Far;
        var b = new IrBuilder();
        b.InsnStart(0x1000);
        ushort bas = b.LoadState(CpuState.GprOffset(4), 8);
        b.Store(b.AddImm(bas, -Far + 8), b.Const(11), 8);
        b.Store(b.AddImm(bas, -Far + 16), b.Const(22), 8);
        b.StoreState(CpuState.GprOffset(0), 8, b.Load(b.AddImm(bas, -Far + 8), 8));
        b.Jump(0x2000);
        RunOn(tier, b.Finish(0x1000, 0x1004), g);
        Assert.Equal(11UL, g.Cpu.State->Gpr[0]);
        Assert.Equal(22UL, g.Memory.Read(DataPage + 16, 8));
    }

    [Theory]
    [MemberData(nameof(AllTiers))]
    public void AccessGroupOnACodePageFinishesTheBlockChecked(Tier tier)
    {
        // Two pushes onto a page holding translated code: native code's one check for the group fails before the
        // first store, and the block ends in the interpreter, which invalidates the code and needs the temps live
        // across that point (w, in a host register in native code).
        using var g = GuestWithCodePage(out var written);
        g.Cpu.State->Gpr[4] = DataPage + 4096 + 16;
        g.Cpu.State->Gpr[3] = 0x1000;
        var b = new IrBuilder();
        b.InsnStart(0x1000);
        ushort rsp = b.LoadState(CpuState.GprOffset(4), 8);
        ushort v = b.LoadState(CpuState.GprOffset(3), 8);
        ushort w = b.Add(v, b.Const(5));
        b.StoreState(CpuState.GprOffset(1), 8, w);
        ushort s1 = b.Sub(rsp, b.Const(8));
        b.Store(s1, v, 8);
        b.InsnStart(0x1004);
        ushort s2 = b.Sub(rsp, b.Const(16));
        b.Store(s2, w, 8);
        b.StoreState(CpuState.GprOffset(1), 8, b.Const(7));
        b.StoreState(CpuState.GprOffset(0), 8, b.Add(w, b.Load(s1, 8)));
        b.StoreState(CpuState.GprOffset(4), 8, s2);
        b.Jump(0x2000);
        Assert.Equal(BlockExit.Next, RunOn(tier, b.Finish(0x1000, 0x1008), g));
        Assert.Equal(0x1000UL, g.Memory.Read(DataPage + 4104, 8));
        Assert.Equal(0x1005UL, g.Memory.Read(DataPage + 4096, 8));
        Assert.Equal(0x2005UL, g.Cpu.State->Gpr[0]);
        Assert.Equal(7UL, g.Cpu.State->Gpr[1]);
        Assert.Equal(DataPage + 4096, g.Cpu.State->Gpr[4]);
        Assert.Equal(0x2000UL, g.Cpu.State->Rip);
        Assert.Contains(DataPage + 4096, written);
    }
}
