using System.Numerics;
using System.Runtime.CompilerServices;

namespace UserEmu.Cpu.X86;

public static partial class SseFloat
{
    /// <summary>
    /// Rounds the magnitude <paramref name="n"/> * 2^<paramref name="e"/> to the format with MXCSR's rounding control,
    /// FTZ and the OE/UE/PE rules (tininess detected after rounding, as x86 does), and returns its bit pattern.
    /// </summary>
    /// <remarks>
    /// <paramref name="n"/> is either exact or a proxy of an inexact value: one whose two lowest bits are below every
    /// rounding position and only tell "exactly here", "a little above" or "a little below" (see <see cref="RoundScaled"/>).
    /// </remarks>
    public static ulong Round(bool neg, ulong n, int e, bool single, uint mx, ref uint flags)
    {
        if (n == 0) return Zero(neg, single);
        int p = single ? 24 : 53, emin = single ? -126 : -1022, emax = single ? 127 : 1023;
        int rc = Mxcsr.Rc(mx);
        // Normalise the leading bit to bit 62 (bit 63 stays free for the carry of rounding).
        int lz = BitOperations.LeadingZeroCount(n);
        if (lz == 0)
        {
            n = (n >> 1) | (n & 1);
            e++;
        }
        else
        {
            n <<= lz - 1;
            e -= lz - 1;
        }
        int lead = e + 62;
        ulong q = RoundBits(n, 63 - p, neg, rc, out bool inexact);
        int leadRounded = lead + (int)(q >> p);
        if (leadRounded > emax)
        {
            // Unmasked, the CPU reports PE only if the result rounded with an unbounded exponent is inexact (as for UE below).
            flags |= (Mxcsr.Unmasked(mx) & Mxcsr.OE) != 0 ? Mxcsr.OE | (inexact ? Mxcsr.PE : 0) : Mxcsr.OE | Mxcsr.PE;
            bool toInf = rc == Mxcsr.RoundNearest || (rc == Mxcsr.RoundUp && !neg) || (rc == Mxcsr.RoundDown && neg);
            return toInf ? Inf(neg, single) : MaxFinite(neg, single);
        }
        bool tiny = leadRounded < emin, inexactUnbounded = inexact;
        ulong bits;
        if (lead >= emin)
        {
            if (q >> p != 0) q >>= 1;
            bits = ((ulong)(leadRounded + (single ? 127 : 1023)) << (p - 1)) + (q - (1UL << (p - 1)));
        }
        else
        {
            // Denormal result: fewer significant bits. A carry into 2^(p-1) encodes the smallest normal, as it should.
            bits = RoundBits(n, 63 - p + (emin - lead), neg, rc, out inexact);
        }
        if (tiny)
        {
            if ((Mxcsr.Unmasked(mx) & Mxcsr.UE) != 0) flags |= Mxcsr.UE | (inexactUnbounded ? Mxcsr.PE : 0);
            else if ((mx & Mxcsr.FTZ) != 0)
            {
                flags |= Mxcsr.UE | Mxcsr.PE;
                return Zero(neg, single);
            }
            else if (inexact) flags |= Mxcsr.UE | Mxcsr.PE;
        }
        else if (inexact) flags |= Mxcsr.PE;
        return bits | (neg ? SignMask(single) : 0);
    }

    /// <summary>Drops the low <paramref name="drop"/> bits of <paramref name="n"/> (below 2^63) with rounding control <paramref name="rc"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong RoundBits(ulong n, int drop, bool neg, int rc, out bool inexact)
    {
        ulong q, rem, half;
        if (drop >= 64)
        {
            q = 0;
            rem = n;
            half = ulong.MaxValue;
        }
        else
        {
            q = n >> drop;
            rem = n & ((1UL << drop) - 1);
            half = 1UL << (drop - 1);
        }
        inexact = rem != 0;
        if (!inexact) return q;
        bool up = rc switch
        {
            Mxcsr.RoundNearest => rem > half || (rem == half && (q & 1) != 0),
            Mxcsr.RoundDown => neg,
            Mxcsr.RoundUp => !neg,
            _ => false,
        };
        return up ? q + 1 : q;
    }

    /// <summary>
    /// Rounds (<paramref name="r"/> + ε·<paramref name="errSign"/>) * 2^<paramref name="scale"/>, where r is a positive
    /// normal double (the host's round-to-nearest result of a scaled operation) and ε an amount smaller than half an
    /// ulp of r whose sign the error-free transform gave.
    /// </summary>
    public static ulong RoundScaled(bool neg, double r, int errSign, int scale, bool single, uint mx, ref uint flags)
    {
        long bits = BitConverter.DoubleToInt64Bits(r);
        int exp = (int)((bits >> 52) & 0x7FF);
        ulong m = ((ulong)bits & 0x000F_FFFF_FFFF_FFFFUL) | (1UL << 52);
        // m << 10 leaves ten bits below double precision; ±1 there stands for the error (see Round's remarks).
        ulong n = (m << 10) + (ulong)(long)errSign;
        return Round(neg, n, exp - 1075 - 10 + scale, single, mx, ref flags);
    }
}
