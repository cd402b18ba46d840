using UserEmu.Cpu.X86;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>
/// The SSE numeric core on fixed values with known x86 results, so that hosts without the native harness (arm64)
/// still check rounding modes, flags, FTZ/DAZ and NaN rules.
/// </summary>
public class SseFloatCoreTests
{
    const uint Masked = 0x1F80;
    static uint Rc(int rc) => Masked | (uint)rc << 13;

    static (ulong Bits, uint Flags) Arith(SseArithOp op, ulong a, ulong b, bool single, uint mx)
    {
        uint f = 0;
        ulong r = SseFloat.Arith(op, a, b, single, mx, ref f);
        return (r, f);
    }

    static ulong D(double d) => BitConverter.DoubleToUInt64Bits(d);
    static ulong F(float f) => BitConverter.SingleToUInt32Bits(f);

    [Theory]
    [InlineData(0, 0x3FD5555555555555UL)]
    [InlineData(1, 0x3FD5555555555555UL)]
    [InlineData(2, 0x3FD5555555555556UL)]
    [InlineData(3, 0x3FD5555555555555UL)]
    public void DivisionRoundsInEveryMode(int rc, ulong expected)
    {
        Assert.Equal((expected, Mxcsr.PE), Arith(SseArithOp.Div, D(1), D(3), false, Rc(rc)));
        // -1/3 mirrors: rounding down a negative value increases its magnitude.
        ulong neg = expected | 1UL << 63;
        int mirrored = rc switch { 1 => 2, 2 => 1, _ => rc };
        Assert.Equal(Arith(SseArithOp.Div, D(-1), D(3), false, Rc(mirrored)).Bits, neg);
    }

    [Fact]
    public void SingleResultsRoundOnce()
    {
        Assert.Equal((0x3EAAAAABUL, Mxcsr.PE), Arith(SseArithOp.Div, F(1), F(3), true, Masked));
        Assert.Equal((0x3EAAAAAAUL, Mxcsr.PE), Arith(SseArithOp.Div, F(1), F(3), true, Rc(1)));
        Assert.Equal((F(3), 0u), Arith(SseArithOp.Add, F(1), F(2), true, Masked));
    }

    [Fact]
    public void OverflowDependsOnRounding()
    {
        ulong max = D(double.MaxValue);
        Assert.Equal((D(double.PositiveInfinity), Mxcsr.OE | Mxcsr.PE), Arith(SseArithOp.Mul, max, D(2), false, Masked));
        Assert.Equal((max, Mxcsr.OE | Mxcsr.PE), Arith(SseArithOp.Mul, max, D(2), false, Rc(3)));
        Assert.Equal((max, Mxcsr.OE | Mxcsr.PE), Arith(SseArithOp.Mul, max, D(2), false, Rc(1)));
    }

    [Fact]
    public void UnderflowFlushAndDenormals()
    {
        ulong minNormal = 0x00800000;
        // Exact denormal result: no flag while masked; FTZ flushes it with UE and PE.
        Assert.Equal((0x00400000UL, 0u), Arith(SseArithOp.Mul, minNormal, F(0.5f), true, Masked));
        Assert.Equal((0UL, Mxcsr.UE | Mxcsr.PE), Arith(SseArithOp.Mul, minNormal, F(0.5f), true, Masked | Mxcsr.FTZ));
        // Inexact tiny result: UE and PE.
        Assert.Equal((0x00400000UL, Mxcsr.UE | Mxcsr.PE), Arith(SseArithOp.Mul, minNormal, 0x3F000001, true, Masked));
        // Denormal operands: DE, or zero under DAZ.
        Assert.Equal((2UL, Mxcsr.DE), Arith(SseArithOp.Add, 1, 1, true, Masked));
        Assert.Equal((0UL, 0u), Arith(SseArithOp.Add, 1, 1, true, Masked | Mxcsr.DAZ));
    }

    [Fact]
    public void NaNRules()
    {
        ulong snan = 0x7FF0000000000001, qnan = 0x7FF8000000000002;
        Assert.Equal((0x7FF8000000000001UL, Mxcsr.IE), Arith(SseArithOp.Add, snan, qnan, false, Masked));
        Assert.Equal((qnan, 0u), Arith(SseArithOp.Mul, D(1), qnan, false, Masked));
        Assert.Equal((SseFloat.DefaultNaN(false), Mxcsr.IE), Arith(SseArithOp.Sqrt, 0, D(-1), false, Masked));
        Assert.Equal((SseFloat.DefaultNaN(true), Mxcsr.IE), Arith(SseArithOp.Sub, F(float.PositiveInfinity), F(float.PositiveInfinity), true, Masked));
        // min/max: the second operand for NaNs (IE even for a QNaN) and for two zeros.
        Assert.Equal((D(1), Mxcsr.IE), Arith(SseArithOp.Min, qnan, D(1), false, Masked));
        Assert.Equal((D(-0.0), 0u), Arith(SseArithOp.Max, D(0.0), D(-0.0), false, Masked));
        Assert.Equal((D(double.PositiveInfinity), Mxcsr.ZE), Arith(SseArithOp.Div, D(1), D(0), false, Masked));
    }

    [Fact]
    public void IntegerConversions()
    {
        uint f = 0;
        Assert.Equal(2UL, SseFloat.ToInt(D(2.5), false, false, false, Masked, ref f));
        Assert.Equal(Mxcsr.PE, f);
        f = 0;
        Assert.Equal(3UL, SseFloat.ToInt(D(2.5), false, false, false, Rc(2), ref f));
        f = 0;
        Assert.Equal(0xFFFFFFFEUL, SseFloat.ToInt(D(-2.5), false, false, true, Masked, ref f));
        f = 0;
        Assert.Equal(0x80000000UL, SseFloat.ToInt(D(3e9), false, false, true, Masked, ref f));
        Assert.Equal(Mxcsr.IE, f);
        f = 0;
        Assert.Equal(0x8000000000000000UL, SseFloat.ToInt(0x7FF8000000000000, false, true, false, Masked, ref f));
        Assert.Equal(Mxcsr.IE, f);
        f = 0;
        // 2^63 - 1 is not a float: it rounds to 2^63 (inexact), up or down with RC.
        Assert.Equal((ulong)F(9.223372036854775808e18f), SseFloat.FromInt(long.MaxValue, true, Masked, ref f));
        Assert.Equal(Mxcsr.PE, f);
        f = 0;
        Assert.Equal(0x5EFFFFFFUL, SseFloat.FromInt(long.MaxValue, true, Rc(3), ref f));
    }
}
