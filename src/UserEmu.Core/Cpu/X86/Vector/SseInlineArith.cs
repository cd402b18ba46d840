using System.Runtime.CompilerServices;

namespace UserEmu.Cpu.X86;

/// <summary>
/// The common case of SSE add/sub/mul/div/sqrt as host arithmetic, for compiled code to inline: MXCSR in its default
/// state with PE already raised (so inexactness needs no detecting), operands normal or zero, and a normal result.
/// There the host's IEEE result is x86's bit for bit and no flag changes. Anything else returns false and the caller
/// runs the exact helper (<see cref="SseArithFastHelpers"/>).
/// </summary>
public static class SseInlineArith
{
    /// <summary>MXCSR bits that must equal <see cref="MxcsrFast"/>: all exceptions masked, round to nearest, no DAZ/FTZ, PE set.</summary>
    public const uint MxcsrMask = 0xFFE0, MxcsrFast = Mxcsr.Default | Mxcsr.PE;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool NormalD(ulong x) => ((x >> 52) & 0x7FF) - 1 < 0x7FE;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool NormalOrZeroD(ulong x) => (x << 1) == 0 || NormalD(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool NormalS(uint x) => ((x >> 23) & 0xFF) - 1 < 0xFE;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool NormalOrZeroS(uint x) => (x << 1) == 0 || NormalS(x);

    // Double and Single are written out twice on purpose: one generic lane over IFloatingPointIeee754<T> measured 30%
    // slower on nbody (user CPU 1.8 -> 2.5 s), as RyuJIT ran out of inlining budget in big regions.

    /// <summary>One double lane: <paramref name="r"/> = a op b (sqrt: of b), or false where the exact path is needed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Double(SseArithOp op, ulong a, ulong b, out ulong r)
    {
        double x = BitConverter.UInt64BitsToDouble(a), y = BitConverter.UInt64BitsToDouble(b);
        double v = op switch
        {
            SseArithOp.Add => x + y,
            SseArithOp.Sub => x - y,
            SseArithOp.Mul => x * y,
            SseArithOp.Div => x / y,
            _ => Math.Sqrt(y),
        };
        r = BitConverter.DoubleToUInt64Bits(v);
        return NormalD(r) && NormalOrZeroD(b) && (op == SseArithOp.Sqrt || NormalOrZeroD(a));
    }

    /// <summary>One single lane (bits in the low 32 of each value).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Single(SseArithOp op, uint a, uint b, out uint r)
    {
        float x = BitConverter.UInt32BitsToSingle(a), y = BitConverter.UInt32BitsToSingle(b);
        float v = op switch
        {
            SseArithOp.Add => x + y,
            SseArithOp.Sub => x - y,
            SseArithOp.Mul => x * y,
            SseArithOp.Div => x / y,
            _ => MathF.Sqrt(y),
        };
        r = BitConverter.SingleToUInt32Bits(v);
        return NormalS(r) && NormalOrZeroS(b) && (op == SseArithOp.Sqrt || NormalOrZeroS(a));
    }

    // Entry points by shape with the operation constant, for the IL backend to call (and RyuJIT to inline).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AddSd(ulong a, ulong b, out ulong r) => Double(SseArithOp.Add, a, b, out r);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool SubSd(ulong a, ulong b, out ulong r) => Double(SseArithOp.Sub, a, b, out r);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool MulSd(ulong a, ulong b, out ulong r) => Double(SseArithOp.Mul, a, b, out r);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool DivSd(ulong a, ulong b, out ulong r) => Double(SseArithOp.Div, a, b, out r);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool SqrtSd(ulong a, ulong b, out ulong r) => Double(SseArithOp.Sqrt, a, b, out r);

    /// <summary>Two single lanes packed in 64 bits (half of a ps operation); false unless both take the fast path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool Pair(SseArithOp op, ulong a, ulong b, out ulong r)
    {
        bool ok = Single(op, (uint)a, (uint)b, out uint lo) & Single(op, (uint)(a >> 32), (uint)(b >> 32), out uint hi);
        r = lo | (ulong)hi << 32;
        return ok;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AddPs2(ulong a, ulong b, out ulong r) => Pair(SseArithOp.Add, a, b, out r);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool SubPs2(ulong a, ulong b, out ulong r) => Pair(SseArithOp.Sub, a, b, out r);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool MulPs2(ulong a, ulong b, out ulong r) => Pair(SseArithOp.Mul, a, b, out r);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool DivPs2(ulong a, ulong b, out ulong r) => Pair(SseArithOp.Div, a, b, out r);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool SqrtPs2(ulong a, ulong b, out ulong r) => Pair(SseArithOp.Sqrt, a, b, out r);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AddSs(ulong a, ulong b, out ulong r) { bool ok = Single(SseArithOp.Add, (uint)a, (uint)b, out uint v); r = v; return ok; }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool SubSs(ulong a, ulong b, out ulong r) { bool ok = Single(SseArithOp.Sub, (uint)a, (uint)b, out uint v); r = v; return ok; }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool MulSs(ulong a, ulong b, out ulong r) { bool ok = Single(SseArithOp.Mul, (uint)a, (uint)b, out uint v); r = v; return ok; }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool DivSs(ulong a, ulong b, out ulong r) { bool ok = Single(SseArithOp.Div, (uint)a, (uint)b, out uint v); r = v; return ok; }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool SqrtSs(ulong a, ulong b, out ulong r) { bool ok = Single(SseArithOp.Sqrt, (uint)a, (uint)b, out uint v); r = v; return ok; }
}
