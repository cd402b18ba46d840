using UserEmu.Backend.Interpreter;
using UserEmu.Cpu.X86;
using UserEmu.Engine;
using UserEmu.IR;
using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Backend;

/// <summary>State reloads the optimiser forwards: across a helper call by what the helper's effect attribute says it writes, and in random blocks as a plain scan of the known fields would.</summary>
public unsafe class StateForwardingTests
{
    // As an SSE operation with an exception flag to report: MXCSR changes, no other state.
    [VectorStateAndMxcsr]
    static ulong SetsPrecisionFlag(Vcpu cpu, ulong a, ulong b, long imm)
    {
        cpu.State->Mxcsr |= 0x20;
        return 0;
    }

    // Writes a general register: nothing loaded before it may be reused after it.
    static ulong WritesRbx(Vcpu cpu, ulong a, ulong b, long imm)
    {
        cpu.State->Gpr[3] = 0x1234;
        return 0;
    }

    static IrBlock ReloadsAround(HelperFn helper)
    {
        var b = new IrBuilder();
        b.InsnStart(0x1000);
        b.StoreState(CpuState.GprOffset(0), 8, b.LoadState(CpuState.GprOffset(3), 8));
        b.StoreState(CpuState.GprOffset(1), 4, b.LoadState(CpuState.OffMxcsr, 4));
        b.Call(helper);
        b.StoreState(CpuState.GprOffset(2), 8, b.LoadState(CpuState.GprOffset(3), 8));
        b.StoreState(CpuState.GprOffset(5), 4, b.LoadState(CpuState.OffMxcsr, 4));
        b.Jump(0x2000);
        return UserEmu.Optimizer.IrOptimizer.Run(b.Finish(0x1000, 0x1004));
    }

    static int Loads(IrBlock block, int offset) => block.Code.Count(i => i.Op == IrOp.LoadState && i.Imm == offset);

    [Fact]
    public void RegistersAreForwardedPastAHelperWritingOnlyVectorStateAndMxcsr()
    {
        HelperTable.Id(SetsPrecisionFlag);
        var block = ReloadsAround(SetsPrecisionFlag);

        Assert.Equal(1, Loads(block, CpuState.GprOffset(3)));
        Assert.Equal(2, Loads(block, CpuState.OffMxcsr));
        using var g = new FakeGuest();
        g.Cpu.State->Gpr[3] = 77;
        IrInterpreter.Run(block, g.Cpu);
        Assert.Equal(77UL, g.Cpu.State->Gpr[2]);
        Assert.Equal(0x1F80UL, g.Cpu.State->Gpr[1]);
        Assert.Equal(0x1FA0UL, g.Cpu.State->Gpr[5]);
    }

    [Fact]
    public void NothingIsForwardedPastAHelperThatMayWriteAnyState()
    {
        HelperTable.Id(WritesRbx);
        var block = ReloadsAround(WritesRbx);

        Assert.Equal(2, Loads(block, CpuState.GprOffset(3)));
        using var g = new FakeGuest();
        g.Cpu.State->Gpr[3] = 77;
        IrInterpreter.Run(block, g.Cpu);
        Assert.Equal(77UL, g.Cpu.State->Gpr[0]);
        Assert.Equal(0x1234UL, g.Cpu.State->Gpr[2]);
    }

    [Fact]
    public void RandomBlocksForwardAsAScanOfEveryKnownFieldWould()
    {
        // Fields of every width the frontend uses, overlapping within and across 8-byte units (AH in RAX, the halves
        // and lanes of YMM registers), and enough of them that the 64 known fields overflow and slots are reused.
        var fields = new List<(int Offset, int Size)>();
        for (int r = 0; r < 16; r++)
            foreach (int size in new[] { 8, 4, 2, 1 }) fields.Add((CpuState.GprOffset(r), size));
        for (int r = 0; r < 4; r++) fields.Add((CpuState.GprOffset(r) + 1, 1));
        for (int v = 0; v < 16; v++)
            foreach (var (at, size) in new[] { (0, 32), (0, 16), (16, 16), (0, 8), (8, 8), (4, 4) })
                fields.Add((CpuState.OffYmm + 32 * v + at, size));
        fields.AddRange([(CpuState.OffCcOp, 4), (CpuState.OffCcDst, 8), (CpuState.OffCcSrc, 8), (CpuState.OffMxcsr, 4), (CpuState.OffFsBase, 8)]);
        var random = new Random(5);
        for (int round = 0; round < 300; round++)
        {
            var b = new IrBuilder();
            b.InsnStart(0x1000);
            var temps = new List<ushort> { b.Const(1) };
            for (int n = random.Next(10, 400); n > 0; n--)
            {
                var (offset, size) = fields[random.Next(fields.Count)];
                switch (random.Next(20))
                {
                    case 0: b.Call(SetsPrecisionFlag); break;
                    case 1: b.Call(WritesRbx); break;
                    case < 11: temps.Add(b.LoadState(offset, size)); break;
                    default: b.StoreState(offset, size, temps[random.Next(temps.Count)]); break;
                }
            }
            b.Jump(0x2000);
            var code = b.Finish(0x1000, 0x1004).Ops.ToArray();
            var expected = code.ToArray();
            ForwardByScanning(expected);
            UserEmu.Optimizer.StateForwarding.Run(code);
            Assert.Equal(expected, code);
        }
    }

    // The pass as a scan of every known field at each state access (what it did before it indexed them by unit).
    static void ForwardByScanning(IrInstr[] code)
    {
        var known = new List<(long Offset, int Size, ushort Temp)>();
        void Forget(long offset, int size) => known.RemoveAll(f => f.Offset < offset + size && offset < f.Offset + f.Size);
        void Remember(long offset, int size, ushort temp)
        {
            if (known.Count == 64) known.Clear();
            known.Add((offset, size, temp));
        }
        for (int k = 0; k < code.Length; k++)
        {
            ref var i = ref code[k];
            switch (i.Op)
            {
                case IrOp.LoadState:
                    var (imm, width) = (i.Imm, i.Size);
                    int hit = known.FindIndex(f => f.Offset == imm && f.Size >= width);
                    if (hit >= 0)
                    {
                        i.Op = i.Size == 8 ? IrOp.Mov : IrOp.ZExt;
                        i.A = known[hit].Temp;
                        i.Imm = 0;
                    }
                    else
                    {
                        Forget(i.Imm, i.Size);
                        Remember(i.Imm, i.Size, i.Dst);
                    }
                    break;
                case IrOp.StoreState:
                    Forget(i.Imm, i.Size);
                    Remember(i.Imm, i.Size, i.A);
                    break;
                case IrOp.Call when HelperTable.WritesOnlyVectorState(i.Helper):
                    var (start, end) = VectorStateOnlyAttribute.VectorStateArea;
                    Forget(start, (int)(end - start));
                    if (HelperTable.IsVectorAndMxcsr(i.Helper)) Forget(CpuState.OffMxcsr, sizeof(uint));
                    break;
                case IrOp.Call:
                    known.Clear();
                    break;
            }
        }
    }
}
