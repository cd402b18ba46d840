using System.Runtime.CompilerServices;

namespace UserEmu.Cpu.X86;

/// <summary>
/// Numeric core of SSE floating point, shared by every instruction: values travel as raw bit patterns (a float in the
/// low 32 bits when <c>single</c>), are classified here, computed exactly with host doubles, and rounded in software
/// (<see cref="Round"/>) so that every MXCSR mode and flag behaves as on x86, on any host.
/// </summary>
public static partial class SseFloat
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong SignMask(bool single) => single ? 0x8000_0000UL : 0x8000_0000_0000_0000UL;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong ExpMask(bool single) => single ? 0x7F80_0000UL : 0x7FF0_0000_0000_0000UL;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong FracMask(bool single) => single ? 0x007F_FFFFUL : 0x000F_FFFF_FFFF_FFFFUL;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong QuietBit(bool single) => single ? 0x0040_0000UL : 0x0008_0000_0000_0000UL;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsNeg(ulong v, bool single) => (v & SignMask(single)) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsNaN(ulong v, bool single) => (v & ExpMask(single)) == ExpMask(single) && (v & FracMask(single)) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsSNaN(ulong v, bool single) => IsNaN(v, single) && (v & QuietBit(single)) == 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsInf(ulong v, bool single) => (v & ~SignMask(single)) == ExpMask(single);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsZero(ulong v, bool single) => (v & ~SignMask(single)) == 0;

    /// <summary>Nonzero with a zero exponent field.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsDenormal(ulong v, bool single) => (v & ExpMask(single)) == 0 && (v & FracMask(single)) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Quiet(ulong v, bool single) => v | QuietBit(single);

    /// <summary>The QNaN "indefinite" returned by invalid operations.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong DefaultNaN(bool single) => single ? 0xFFC0_0000UL : 0xFFF8_0000_0000_0000UL;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Inf(bool neg, bool single) => ExpMask(single) | (neg ? SignMask(single) : 0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Zero(bool neg, bool single) => neg ? SignMask(single) : 0;

    /// <summary>Largest finite magnitude, with a sign.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong MaxFinite(bool neg, bool single) => (ExpMask(single) - 1) | (neg ? SignMask(single) : 0);

    /// <summary>Exact value of a non-NaN pattern as a host double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ToDouble(ulong v, bool single) =>
        single ? BitConverter.Int32BitsToSingle((int)(uint)v) : BitConverter.Int64BitsToDouble((long)v);

    /// <summary>Bit pattern of a double known to be representable in the format (or a double NaN already shaped for it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong FromExact(double d, bool single) =>
        single ? (uint)BitConverter.SingleToInt32Bits((float)d) : (ulong)BitConverter.DoubleToInt64Bits(d);

    /// <summary>
    /// DAZ and the denormal flag for one input: with DAZ a denormal becomes a zero of its sign, otherwise it raises DE
    /// (when <paramref name="reportDenormal"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong DenormalIn(ulong v, bool single, uint mx, ref uint flags, bool reportDenormal = true)
    {
        if (!IsDenormal(v, single)) return v;
        if ((mx & Mxcsr.DAZ) != 0) return v & SignMask(single);
        if (reportDenormal) flags |= Mxcsr.DE;
        return v;
    }
}
