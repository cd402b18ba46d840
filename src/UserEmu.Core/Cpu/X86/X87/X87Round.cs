using System.Numerics;

namespace UserEmu.Cpu.X86.X87;

/// <summary>Status-word bits of the x87 (exception flags, condition codes), also used to accumulate the flags of one operation.</summary>
public static class X87Status
{
    public const int IE = 0x01, DE = 0x02, ZE = 0x04, OE = 0x08, UE = 0x10, PE = 0x20, SF = 0x40, ES = 0x80;
    public const int C0 = 0x100, C1 = 0x200, C2 = 0x400, Top = 0x3800, C3 = 0x4000, B = 0x8000;
    public const int Exceptions = 0x3F;
    public const int Conditions = C0 | C1 | C2 | C3;
}

/// <summary>A destination format for rounding: significand precision and normal exponent range (unbiased).</summary>
public readonly record struct RoundFormat(int Precision, int EMin, int EMax)
{
    public static RoundFormat Extended(int precision) => new(precision, 1 - Float80.Bias, Float80.Bias);
    public static readonly RoundFormat Double = new(53, -1022, 1023);
    public static readonly RoundFormat Single = new(24, -126, 127);
}

/// <summary>A rounded result: sign, unbiased exponent and a 64-bit significand (bit 63 set unless the value is denormal or zero).</summary>
public readonly record struct Rounded(bool Sign, int Exp, ulong Sig, bool Inf);

/// <summary>Correct rounding of an exact intermediate (a 128-bit significand) to a format under the x87 control word.</summary>
/// <remarks>
/// Follows the x87's rules: tininess is detected after rounding; a masked underflow is flagged only when the result is
/// also inexact; unmasked overflow/underflow on a register destination deliver the result with the exponent wrapped by
/// 24576 (0x6000) instead of an infinity or denormal.
/// </remarks>
public static class X87Round
{
    public const int WrapBias = 0x6000;

    /// <summary>Precision in bits selected by the control word's PC field (24, 53 or 64; the reserved value acts as 64).</summary>
    public static int Precision(ushort fcw) => ((fcw >> 8) & 3) switch { 0 => 24, 2 => 53, _ => 64 };

    /// <summary>RC field: 0 nearest-even, 1 down, 2 up, 3 toward zero.</summary>
    public static int Mode(ushort fcw) => (fcw >> 10) & 3;

    /// <summary>Shifts right by <paramref name="n"/>, or-ing every shifted-out bit into bit 0 (sticky).</summary>
    public static UInt128 ShiftRightJam(UInt128 v, int n)
    {
        if (n <= 0) return v;
        if (n >= 128) return v != 0 ? UInt128.One : UInt128.Zero;
        UInt128 r = v >> n;
        if ((v << (128 - n)) != 0) r |= 1;
        return r;
    }

    /// <summary>Normalises <paramref name="x"/> (value = x * 2^scale, x != 0) so bit 127 is set; returns the unbiased exponent.</summary>
    public static int Normalize(ref UInt128 x, int scale)
    {
        int lz = (int)UInt128.LeadingZeroCount(x);
        x <<= lz;
        return 127 - lz + scale;
    }

    /// <summary>Whether rounding <paramref name="v"/> (bit 127 set) to <paramref name="p"/> bits in mode <paramref name="rc"/> increments it.</summary>
    static bool RoundsUp(UInt128 v, int p, int rc, bool sign, out bool inexact)
    {
        UInt128 unit = UInt128.One << (128 - p);
        UInt128 rem = v & (unit - 1);
        inexact = rem != 0;
        return rc switch
        {
            0 => rem > (unit >> 1) || (rem == (unit >> 1) && (v & unit) != 0),
            1 => inexact && sign,
            2 => inexact && !sign,
            _ => false,
        };
    }

    /// <summary>
    /// Rounds sign * v * 2^(e-127) (v normalised, bit 127 set) to <paramref name="f"/> in rounding mode <paramref name="rc"/>.
    /// <paramref name="wrapUnmasked"/>: the destination is a register, so unmasked overflow/underflow wrap the exponent.
    /// </summary>
    public static Rounded Round(bool sign, int e, UInt128 v, RoundFormat f, ushort fcw, bool wrapUnmasked, ref int flags)
    {
        int rc = Mode(fcw);
        int p = f.Precision;
        bool ueUnmasked = (fcw & X87Status.UE) == 0, oeUnmasked = (fcw & X87Status.OE) == 0;
        bool up, inexact;
        if (e < f.EMin)
        {
            // Tiny after rounding: the result rounded with an unbounded exponent is still below 2^EMin.
            bool carries = RoundsUp(v, p, rc, sign, out _) && (v >> (128 - p)) == (UInt128.MaxValue >> (128 - p));
            bool tiny = !(e == f.EMin - 1 && carries);
            if (ueUnmasked && wrapUnmasked && tiny && e + WrapBias < f.EMin)
            {
                // Too small even for the wrapped exponent: the CPU delivers a zero.
                flags = (flags & ~X87Status.C1) | X87Status.UE | X87Status.PE;
                return new Rounded(sign, f.EMin, 0, false);
            }
            if (ueUnmasked && wrapUnmasked && tiny && e + WrapBias >= f.EMin)
            {
                flags |= X87Status.UE;
                e += WrapBias;
            }
            else
            {
                v = ShiftRightJam(v, f.EMin - e);
                e = f.EMin;
                up = RoundsUp(v, p, rc, sign, out inexact);
                v &= ~((UInt128.One << (128 - p)) - 1);
                if (up) v += UInt128.One << (128 - p);
                if (tiny && (inexact || ueUnmasked)) flags |= X87Status.UE;
                if (inexact) flags |= X87Status.PE;
                if (up) flags |= X87Status.C1;
                return new Rounded(sign, e, (ulong)(v >> 64), false);
            }
        }
        up = RoundsUp(v, p, rc, sign, out inexact);
        v &= ~((UInt128.One << (128 - p)) - 1);
        if (up)
        {
            v += UInt128.One << (128 - p);
            if (v == 0)
            {
                v = UInt128.One << 127;
                e++;
            }
        }
        if (e > f.EMax)
        {
            if (oeUnmasked && wrapUnmasked && e - WrapBias <= f.EMax)
            {
                flags |= X87Status.OE;
                e -= WrapBias;
            }
            else
            {
                flags |= X87Status.OE | X87Status.PE;
                // Unmasked but too large even for the wrapped exponent: the CPU delivers an infinity in every mode.
                bool toInf = rc == 0 || (rc == 2 && !sign) || (rc == 1 && sign) || (oeUnmasked && wrapUnmasked);
                if (toInf)
                {
                    flags |= X87Status.C1;
                    return new Rounded(sign, f.EMax + 1, Float80.IntBit, true);
                }
                flags &= ~X87Status.C1;
                return new Rounded(sign, f.EMax, ulong.MaxValue << (64 - p), false);
            }
        }
        if (inexact) flags |= X87Status.PE;
        if (up) flags |= X87Status.C1;
        return new Rounded(sign, e, (ulong)(v >> 64), false);
    }

    /// <summary>Rounds to extended format at the control word's precision and packs the result.</summary>
    public static Float80 RoundExtended(bool sign, int e, UInt128 v, ushort fcw, ref int flags, bool wrapUnmasked = true) =>
        Pack80(Round(sign, e, v, RoundFormat.Extended(Precision(fcw)), fcw, wrapUnmasked, ref flags));

    public static Float80 Pack80(in Rounded r)
    {
        if (r.Inf) return Float80.Infinity(r.Sign);
        if ((r.Sig & Float80.IntBit) == 0) return new Float80(r.Sign, 0, r.Sig);
        return new Float80(r.Sign, r.Exp + Float80.Bias, r.Sig);
    }

    public static ulong Pack64(in Rounded r)
    {
        ulong s = r.Sign ? 1UL << 63 : 0;
        if (r.Inf) return s | 0x7FFUL << 52;
        if ((r.Sig & Float80.IntBit) == 0) return s | r.Sig >> 11;
        return s | (ulong)(r.Exp + 1023) << 52 | (r.Sig >> 11) & ((1UL << 52) - 1);
    }

    public static uint Pack32(in Rounded r)
    {
        uint s = r.Sign ? 1U << 31 : 0;
        if (r.Inf) return s | 0xFFU << 23;
        if ((r.Sig & Float80.IntBit) == 0) return s | (uint)(r.Sig >> 40);
        return s | (uint)(r.Exp + 127) << 23 | (uint)(r.Sig >> 40) & ((1U << 23) - 1);
    }

    /// <summary>Exact value of a non-zero finite operand as (exponent, 128-bit normalised significand).</summary>
    public static int Unpack(Float80 a, out UInt128 v)
    {
        int e = a.Normalized(out ulong sig);
        v = (UInt128)sig << 64;
        return e;
    }

    /// <summary>Sign of an exact zero sum of operands of opposite signs: -0 only when rounding down.</summary>
    public static bool ZeroSumSign(ushort fcw) => Mode(fcw) == 1;

    internal static int Lzc(ulong x) => BitOperations.LeadingZeroCount(x);
}
