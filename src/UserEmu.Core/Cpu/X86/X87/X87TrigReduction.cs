using System.Numerics;

namespace UserEmu.Cpu.X86.X87;

/// <summary>Argument reduction for fsin/fcos/fsincos/fptan: x = k·π/2 + r with |r| ≤ π/4, using 320 bits of 2/π (Payne–Hanek style).</summary>
public static class X87TrigReduction
{
    /// <summary>2/π as a 320-bit binary fraction, most significant limb first.</summary>
    static readonly ulong[] TwoOverPi =
        [0xA2F9836E4E441529, 0xFC2757D1F534DDC0, 0xDB6295993C439041, 0xFE5163ABDEBBC561, 0xB7246E3A424DD2E0];

    /// <summary>π/2 · 2^127 (π/2 with 128 significant bits).</summary>
    static readonly UInt128 HalfPi = new(0xC90FDAA22168C234, 0xC4C6628B80DC1CD1);

    /// <summary>Reduces |x| = sig · 2^(e-63), e in [-1, 62]; returns r (may be negative) and k mod 4.</summary>
    public static DoubleDouble Reduce(ulong sig, int e, out int quadrant)
    {
        // P = sig · T (384 bits, least significant limb first); |x|·2/π = P · 2^(e - 383).
        Span<ulong> p = stackalloc ulong[6];
        ulong carry = 0;
        for (int i = 0; i < 5; i++)
        {
            UInt128 prod = (UInt128)sig * TwoOverPi[4 - i] + carry;
            p[i] = (ulong)prod;
            carry = (ulong)(prod >> 64);
        }
        p[5] = carry;
        int point = 383 - e;
        ulong intPart = Bits(p, point, 64);
        UInt128 frac = new(Bits(p, point - 64, 64), Bits(p, point - 128, 64));
        bool negative = false;
        if (frac >> 127 != 0)
        {
            intPart++;
            frac = UInt128.Zero - frac;
            negative = true;
        }
        quadrant = (int)(intPart & 3);
        if (frac == 0) return DoubleDouble.Zero;
        // r = frac/2^128 · π/2 = high128(frac · HalfPi) · 2^-127.
        UInt128 q = MulHigh(frac, HalfPi);
        var r = FromFixed(q, -127);
        return negative ? -r : r;
    }

    /// <summary><paramref name="count"/> (≤ 64) bits of the little-endian number <paramref name="p"/> starting at bit <paramref name="from"/>.</summary>
    static ulong Bits(ReadOnlySpan<ulong> p, int from, int count)
    {
        ulong v = 0;
        for (int k = 0; k < count; k++)
        {
            int bit = from + k;
            if (bit < 0 || bit >= p.Length * 64) continue;
            v |= (p[bit >> 6] >> (bit & 63) & 1) << k;
        }
        return v;
    }

    static UInt128 MulHigh(UInt128 a, UInt128 b)
    {
        ulong a0 = (ulong)a, a1 = (ulong)(a >> 64), b0 = (ulong)b, b1 = (ulong)(b >> 64);
        UInt128 p00 = (UInt128)a0 * b0, p01 = (UInt128)a0 * b1, p10 = (UInt128)a1 * b0, p11 = (UInt128)a1 * b1;
        UInt128 mid = (p00 >> 64) + (ulong)p01 + (ulong)p10;
        return p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    }

    /// <summary>The value v · 2^scale as a double-double (106 of its bits).</summary>
    public static DoubleDouble FromFixed(UInt128 v, int scale)
    {
        if (v == 0) return DoubleDouble.Zero;
        int lz = (int)UInt128.LeadingZeroCount(v);
        UInt128 n = v << lz;
        int top = scale - lz;
        double hi = Math.ScaleB((double)(ulong)(n >> 75), top + 75);
        double lo = Math.ScaleB((double)((ulong)(n >> 22) & ((1UL << 53) - 1)), top + 22);
        return new DoubleDouble(hi, 0) + new DoubleDouble(lo, 0);
    }

    internal static int Lzc(ulong v) => BitOperations.LeadingZeroCount(v);
}
