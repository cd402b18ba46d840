using Xunit;
using Xunit.Abstractions;
using static Iced.Intel.Mnemonic;

namespace UserEmu.Tests.Cpu;

/// <summary>
/// The IL backend's inline SSE arithmetic (Backend/IL/IlRegionEmitter.InlineArith.cs) against the host CPU: MXCSR in
/// the state where the inline path applies (defaults with PE set), next to states just outside it, so that both the
/// inline path and its fallback to the exact helper are exercised on the same operands.
/// </summary>
public class SseInlineArithTests(ITestOutputHelper output)
{
    // 0x1FA0: the inline state. 0x1F80: PE not yet set (every inexact result must set it). 0x17A0: underflow
    // unmasked. 0x5FA0: round toward +inf. 0x1FE0: DAZ.
    static readonly uint[] States = [0x1FA0, 0x1FA0, 0x1F80, 0x17A0, 0x5FA0, 0x1FE0];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ArithmeticAroundTheInlineState(bool single)
    {
        var t = new DifferentialTester(single ? 111 : 112);
        var g = new SseFloatCases(t);
        Iced.Intel.Mnemonic[] forms = single
            ? [Addps, Addss, Subps, Subss, Mulps, Mulss, Divps, Divss, Sqrtps, Sqrtss]
            : [Addpd, Addsd, Subpd, Subsd, Mulpd, Mulsd, Divpd, Divsd, Sqrtpd, Sqrtsd];
        var format = single ? SseLaneFormat.Single : SseLaneFormat.Double;
        foreach (uint mxcsr in States)
        {
            g.Add(forms, 40, new SseCaseOptions { Format = format, Mxcsr = mxcsr });
            g.Add(forms, 10, new SseCaseOptions { Format = format, Mxcsr = mxcsr, Memory = true });
        }
        IntegerDifferentialTests.Check(t, output);
    }
}
