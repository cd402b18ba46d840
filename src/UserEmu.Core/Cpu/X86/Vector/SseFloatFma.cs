using System.Numerics;

namespace UserEmu.Cpu.X86;

public static partial class SseFloat
{
    /// <summary>
    /// ±(a × b) ± c with a single rounding (FMA3), with MXCSR's rounding control, DAZ/FTZ and flags: the product is
    /// exact in 128 bits, the addend is aligned to it with a sticky bit, and the sum is rounded once by <see cref="Round"/>.
    /// </summary>
    /// <remarks>
    /// NaNs: IE for an SNaN (∞ × 0 + QNaN raises nothing, as the host CPU shows); the result is the first NaN of
    /// a, b, c, quietened, without the negations applied.
    /// </remarks>
    public static ulong FusedMulAdd(ulong a, ulong b, ulong c, bool negProduct, bool negAddend, bool single, uint mx, ref uint flags)
    {
        bool na = IsNaN(a, single), nb = IsNaN(b, single), nc = IsNaN(c, single);
        bool infZero = (IsInf(a, single) && IsZero(DenormalIn(b, single, mx, ref flags, false), single))
            || (IsInf(b, single) && IsZero(DenormalIn(a, single, mx, ref flags, false), single));
        if (na || nb || nc)
        {
            if (IsSNaN(a, single) || IsSNaN(b, single) || IsSNaN(c, single)) flags |= Mxcsr.IE;
            return Quiet(na ? a : nb ? b : c, single);
        }
        if (infZero) return Invalid(single, ref flags);
        a = DenormalIn(a, single, mx, ref flags);
        b = DenormalIn(b, single, mx, ref flags);
        c = DenormalIn(c, single, mx, ref flags);
        bool signP = IsNeg(a, single) ^ IsNeg(b, single) ^ negProduct;
        bool signC = IsNeg(c, single) ^ negAddend;
        if (IsInf(a, single) || IsInf(b, single))
        {
            if (IsInf(c, single) && signC != signP) return Invalid(single, ref flags);
            return Inf(signP, single);
        }
        if (IsInf(c, single)) return Inf(signC, single);
        ulong cSigned = (c & ~SignMask(single)) | (signC ? SignMask(single) : 0);
        if (IsZero(a, single) || IsZero(b, single))
        {
            if (!IsZero(c, single)) return Exact(cSigned, single, mx, ref flags);
            if (signP == signC) return Zero(signP, single);
            return Zero(Mxcsr.Rc(mx) == Mxcsr.RoundDown, single);
        }

        Decompose(a, single, out ulong ma, out int ea);
        Decompose(b, single, out ulong mb, out int eb);
        UInt128 p = (UInt128)ma * mb;
        int ep = ea + eb;
        if (IsZero(c, single)) return RoundWide(signP, p, ep, single, mx, ref flags);
        Decompose(c, single, out ulong mc, out int ec);

        // Put the higher of the two leading bits at bit 125: the upper operand then has at least 20 zero low bits,
        // so a sticky bit OR-ed into the lower one survives the addition or subtraction in bit 0.
        int topP = 127 - (int)UInt128.LeadingZeroCount(p) + ep, topC = 63 - BitOperations.LeadingZeroCount(mc) + ec;
        int e0 = Math.Max(topP, topC) - 125;
        UInt128 x = Align(p, ep - e0), y = Align(mc, ec - e0);
        UInt128 s;
        bool neg;
        if (signP == signC)
        {
            s = x + y;
            neg = signP;
        }
        else if (x >= y)
        {
            s = x - y;
            neg = signP;
        }
        else
        {
            s = y - x;
            neg = signC;
        }
        if (s == UInt128.Zero) return Zero(Mxcsr.Rc(mx) == Mxcsr.RoundDown, single);
        return RoundWide(neg, s, e0, single, mx, ref flags);
    }

    /// <summary>Significand and exponent of a finite non-zero value: v = m × 2^e.</summary>
    static void Decompose(ulong v, bool single, out ulong m, out int e)
    {
        int fracBits = single ? 23 : 52, bias = single ? 127 : 1023;
        ulong frac = v & FracMask(single);
        int exp = (int)((v & ExpMask(single)) >> fracBits);
        if (exp == 0)
        {
            m = frac;
            e = 1 - bias - fracBits;
        }
        else
        {
            m = frac | 1UL << fracBits;
            e = exp - bias - fracBits;
        }
    }

    /// <summary><paramref name="m"/> shifted left by <paramref name="shift"/>, or right with the lost bits OR-ed into bit 0.</summary>
    static UInt128 Align(UInt128 m, int shift)
    {
        if (shift >= 0) return m << shift;
        if (-shift >= 128) return m == UInt128.Zero ? UInt128.Zero : UInt128.One;
        UInt128 lost = m & ((UInt128.One << -shift) - 1);
        return (m >> -shift) | (lost != UInt128.Zero ? UInt128.One : UInt128.Zero);
    }

    /// <summary>Rounds the magnitude <paramref name="s"/> × 2^<paramref name="e"/>, narrowed to 63 bits with a sticky bit.</summary>
    static ulong RoundWide(bool neg, UInt128 s, int e, bool single, uint mx, ref uint flags)
    {
        int k = Math.Max(0, 128 - (int)UInt128.LeadingZeroCount(s) - 63);
        UInt128 lost = s & ((UInt128.One << k) - 1);
        ulong n = (ulong)(s >> k) | (lost != UInt128.Zero ? 1UL : 0);
        return Round(neg, n, e + k, single, mx, ref flags);
    }
}
