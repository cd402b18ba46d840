using UserEmu.Cpu.X86;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>LazyFlags.Carry and the condition shortcuts agree with the full flag computation for every recorded op.</summary>
public sealed class LazyFlagShortcutTests
{
    static IEnumerable<CcOp> AllOps()
    {
        yield return CcOp.Eflags;
        for (uint kind = 1; kind <= 10; kind++)
            for (uint size = 0; size < 4; size++) yield return (CcOp)(kind * 4 + size);
    }

    static ulong Interesting(Random r) => r.Next(6) switch
    {
        0 => 0,
        1 => ulong.MaxValue,
        2 => 1UL << r.Next(64),
        3 => (1UL << r.Next(64)) - 1,
        _ => (ulong)r.NextInt64() ^ ((ulong)r.Next() << 40),
    };

    [Fact]
    public void CarryAndConditionsMatchTheFullComputation()
    {
        var r = new Random(20261201);
        foreach (var op in AllOps())
        {
            for (int n = 0; n < 4000; n++)
            {
                ulong dst = Interesting(r), src = Interesting(r), src2 = (ulong)r.Next(2);
                ulong full = LazyFlags.Compute(op, dst, src, src2);
                Assert.True((full & LazyFlags.CF) == LazyFlags.Carry(op, dst, src, src2), $"CF of {op} dst={dst:x} src={src:x} cin={src2}");
                for (int cc = 0; cc < 16; cc++)
                    Assert.True(LazyFlags.Test(full, (Cond)cc) == LazyFlags.Test(op, dst, src, src2, (Cond)cc), $"{(Cond)cc} of {op} dst={dst:x} src={src:x} cin={src2}");
            }
        }
    }
}
