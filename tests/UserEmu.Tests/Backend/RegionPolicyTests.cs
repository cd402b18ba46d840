using UserEmu.Backend.Native;
using UserEmu.Cpu.X86;
using UserEmu.Engine;
using UserEmu.IR;
using Xunit;

namespace UserEmu.Tests.Backend;

/// <summary>Which hot native blocks become RyuJIT regions: those that call helpers (but rep string ops); the rest stay native.</summary>
public class RegionPolicyTests
{
    static ulong Helper(Vcpu cpu, ulong a, ulong b, long imm) => a + b;

    static PreparedBlock Block(Action<IrBuilder> body)
    {
        var b = new IrBuilder();
        b.InsnStart(0x1000);
        body(b);
        return PreparedBlock.Prepare(b.Finish(0x1000, 0x1010));
    }

    [Fact]
    public void StraightLineCodeStaysNative() =>
        Assert.False(NativeBlockCompiler.BecomesRegion(Block(b =>
        {
            b.StoreState(CpuState.GprOffset(0), 8, b.Add(b.LoadState(CpuState.GprOffset(1), 8), b.Const(1)));
            b.Branch(b.LoadState(CpuState.GprOffset(2), 8), 0x2000, 0x1010);
        })));

    [Fact]
    public void ALoopOnItselfStaysNative() =>
        Assert.False(NativeBlockCompiler.BecomesRegion(Block(b =>
        {
            ushort n = b.Add(b.LoadState(CpuState.GprOffset(1), 8), b.Const(-1));
            b.StoreState(CpuState.GprOffset(1), 8, n);
            b.Branch(n, 0x1000, 0x1010);
        })));

    /// <summary>rep movs/stos (a StringHelpers.Run call) moves many bytes per trip through the runner.</summary>
    [Fact]
    public void ARepStringOpStaysNative() =>
        Assert.False(NativeBlockCompiler.BecomesRegion(Block(b =>
        {
            b.StoreState(CpuState.GprOffset(0), 8, b.Call(StringHelpers.Run, b.LoadState(CpuState.GprOffset(1), 8)));
            b.Jump(0x2000);
        })));

    /// <summary>A jcc on flags set in an earlier block is a ConditionPure call in the IR, which native code evaluates inline.</summary>
    [Fact]
    public void ALazyFlagsConditionAloneStaysNative() =>
        Assert.False(NativeBlockCompiler.BecomesRegion(Block(b =>
        {
            ushort cond = b.PureCall(FlagHelpers.ConditionPure, b.LoadState(CpuState.GprOffset(1), 8),
                b.LoadState(CpuState.GprOffset(2), 8), b.LoadState(CpuState.GprOffset(3), 8), 4);
            b.Branch(cond, 0x2000, 0x1010);
        })));

    [Fact]
    public void AHelperCallBecomesARegion() =>
        Assert.True(NativeBlockCompiler.BecomesRegion(Block(b =>
        {
            b.StoreState(CpuState.GprOffset(0), 8, b.Call(Helper, b.LoadState(CpuState.GprOffset(1), 8)));
            b.Jump(0x2000);
        })));
}
