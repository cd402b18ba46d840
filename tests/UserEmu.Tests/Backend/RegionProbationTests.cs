using UserEmu.Backend.IL;
using UserEmu.Backend.Native;
using UserEmu.Cpu.X86;
using UserEmu.Engine;
using UserEmu.IR;
using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Backend;

/// <summary>Regions count how long the guest stays in compiled code, and the ones it leaves at once are demoted to native code.</summary>
public unsafe class RegionProbationTests
{
    // A block that adds 1 to RCX and loops to itself while RCX < limit, then jumps to 0x2000.
    static IrBlock CountingLoop(long limit)
    {
        var b = new IrBuilder();
        b.InsnStart(0x1000);
        ushort next = b.AddImm(b.LoadState(CpuState.GprOffset(1), 8), 1);
        b.StoreState(CpuState.GprOffset(1), 8, next);
        b.Branch(b.Binary(IrOp.CmpLtU, next, b.Const(limit)), 0x1000, 0x2000);
        return b.Finish(0x1000, 0x1004);
    }

    [Fact]
    public void RegionsCountEntriesLoopIterationsAndHelperCalls()
    {
        using var g = new FakeGuest();
        var loop = IlBlockCompiler.Compile(CountingLoop(10), g.Memory);
        g.Cpu.RegionSteps = 0;
        Assert.Equal(BlockExit.Next, (BlockExit)loop(g.Cpu, g.Cpu.State));
        Assert.Equal(10UL, g.Cpu.State->Gpr[1]);
        Assert.Equal(0x2000UL, g.Cpu.State->Rip);
        // One entry and nine back edges.
        Assert.Equal(10, g.Cpu.RegionSteps);

        var b = new IrBuilder();
        b.InsnStart(0x1000);
        b.StoreState(CpuState.GprOffset(2), 8, b.Call(AddOne, b.Const(1), b.Const(2), 3));
        b.Jump(0x2000);
        var call = IlBlockCompiler.Compile(b.Finish(0x1000, 0x1004), g.Memory);
        g.Cpu.RegionSteps = 0;
        call(g.Cpu, g.Cpu.State);
        Assert.Equal(6UL, g.Cpu.State->Gpr[2]);
        // One entry and one helper call (native code would make it through its runner).
        Assert.Equal(2, g.Cpu.RegionSteps);
    }

    static ulong AddOne(Vcpu cpu, ulong a, ulong b, long imm) => a + b + (ulong)imm;

    [Theory]
    [InlineData(RegionProbation.MinStepsPerEntry - 1, true)]
    [InlineData(RegionProbation.MinStepsPerEntry, false)]
    public void ARegionTheGuestLeavesAtOnceIsDemoted(int stepsPerEntry, bool demoted)
    {
        using var g = new FakeGuest();
        var tb = new TranslationBlock(CountingLoop(10));
        var native = NativeBlockCompiler.Compile(tb.Code, NativeCodeArena.Shared)!;
        tb.Native = native;
        var compiled = IlBlockCompiler.Compile([tb.Code], g.Memory);
        tb.Compiled = compiled;
        tb.Region = (RegionLinks)compiled.Target!;
        *native.Runs = 200_000;
        var stats = new EngineStats();
        for (int n = 0; n < RegionProbation.Entries; n++)
        {
            Assert.True(tb.Region.OnProbation);
            RegionProbation.Entered(tb, tb.Region, stepsPerEntry, stats);
        }
        Assert.False(tb.Region.OnProbation);
        Assert.Equal(demoted, tb.Compiled == null);
        Assert.Equal(demoted ? 0u : 200_000u, *native.Runs);
        Assert.Equal(demoted ? 1 : 0, stats.RegionsDemoted);
    }
}
