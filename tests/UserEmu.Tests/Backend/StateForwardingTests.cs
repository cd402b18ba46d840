using UserEmu.Backend.Interpreter;
using UserEmu.Cpu.X86;
using UserEmu.Engine;
using UserEmu.IR;
using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Backend;

/// <summary>State reloads the optimiser forwards across a helper call, by what the helper's effect attribute says it writes.</summary>
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
        HelperTable.ReadEffects();
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
        HelperTable.ReadEffects();
        var block = ReloadsAround(WritesRbx);

        Assert.Equal(2, Loads(block, CpuState.GprOffset(3)));
        using var g = new FakeGuest();
        g.Cpu.State->Gpr[3] = 77;
        IrInterpreter.Run(block, g.Cpu);
        Assert.Equal(77UL, g.Cpu.State->Gpr[0]);
        Assert.Equal(0x1234UL, g.Cpu.State->Gpr[2]);
    }
}
