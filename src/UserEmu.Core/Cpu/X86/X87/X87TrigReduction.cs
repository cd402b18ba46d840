namespace UserEmu.Cpu.X86.X87;

/// <summary>
/// Argument reduction for fsin/fcos/fsincos/fptan, as the x87 does it: x = k·(π₆₆/2) + r exactly, where π₆₆ is π
/// rounded to 66 bits. Using the true π instead would be "more accurate" but differ from the CPU by many ulps near
/// multiples of π (measured: the host's results match this reduction bit for bit).
/// </summary>
public static class X87TrigReduction
{
    /// <summary>π₆₆/2 = C · 2^-67 with C the 68-bit integer below (π's 66 leading bits, two zero bits).</summary>
    static readonly UInt128 C = new(0xC, 0x90FDAA22168C234C);

    /// <summary>Reduces |x| = sig · 2^(e-63), e in [-1, 62]; returns r (|r| ≤ π/4, may be negative) and k mod 4.</summary>
    public static DoubleDouble Reduce(ulong sig, int e, out int quadrant)
    {
        // Long division of X = sig · 2^(e+4) (x at scale 2^-67) by C, keeping the remainder and the quotient's low bits.
        UInt128 rem = 0;
        int q = 0;
        int bits = 64 + e + 4;
        for (int i = 0; i < bits; i++)
        {
            ulong bit = i < 64 ? sig >> (63 - i) & 1 : 0;
            rem = (rem << 1) | bit;
            q <<= 1;
            if (rem >= C)
            {
                rem -= C;
                q |= 1;
            }
        }
        bool negative = false;
        // Nearest multiple (ties to even quotient).
        if ((rem << 1) > C || ((rem << 1) == C && (q & 1) != 0))
        {
            q++;
            rem = C - rem;
            negative = true;
        }
        quadrant = q & 3;
        var r = FromFixed(rem, -67);
        return negative ? -r : r;
    }

    /// <summary>The value v · 2^scale (v below 2^106 is exact) as a double-double.</summary>
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
}
