using static UserEmu.Cpu.X86.X87.X87Status;

namespace UserEmu.Cpu.X86.X87;

/// <summary>Conversions between <see cref="Float80"/> and single, double, integers and packed BCD, with x87 rounding and flags.</summary>
public static class Float80Convert
{
    public static Float80 FromInt64(long value)
    {
        if (value == 0) return Float80.Zero;
        bool sign = value < 0;
        ulong mag = sign ? (ulong)-value : (ulong)value;
        int lz = X87Round.Lzc(mag);
        return new Float80(sign, 63 - lz + Float80.Bias, mag << lz);
    }

    /// <summary>
    /// fld m64: exact; SNaN raises IE (and loads quiet), a denormal raises DE. With <paramref name="asOperand"/> (an
    /// arithmetic source) an SNaN stays signaling for the operation to judge.
    /// </summary>
    public static Float80 FromDouble(ulong bits, ref int flags, bool asOperand = false)
    {
        bool sign = (long)bits < 0;
        int exp = (int)(bits >> 52) & 0x7FF;
        ulong frac = bits & ((1UL << 52) - 1);
        if (exp == 0x7FF)
        {
            if (frac == 0) return Float80.Infinity(sign);
            if (asOperand) return new Float80(sign, Float80.MaxExp, Float80.IntBit | frac << 11);
            if ((frac & (1UL << 51)) == 0) flags |= IE;
            return new Float80(sign, Float80.MaxExp, Float80.IntBit | Float80.QuietBit | frac << 11);
        }
        if (exp == 0)
        {
            if (frac == 0) return Float80.ZeroOf(sign);
            flags |= DE;
            int lz = X87Round.Lzc(frac);
            // value = frac * 2^-1074; leading bit at 63 - lz
            return new Float80(sign, 63 - lz - 1074 + Float80.Bias, frac << lz);
        }
        return new Float80(sign, exp - 1023 + Float80.Bias, Float80.IntBit | frac << 11);
    }

    public static Float80 FromSingle(uint bits, ref int flags, bool asOperand = false)
    {
        bool sign = (int)bits < 0;
        int exp = (int)(bits >> 23) & 0xFF;
        ulong frac = bits & ((1U << 23) - 1);
        if (exp == 0xFF)
        {
            if (frac == 0) return Float80.Infinity(sign);
            if (asOperand) return new Float80(sign, Float80.MaxExp, Float80.IntBit | frac << 40);
            if ((frac & (1U << 22)) == 0) flags |= IE;
            return new Float80(sign, Float80.MaxExp, Float80.IntBit | Float80.QuietBit | frac << 40);
        }
        if (exp == 0)
        {
            if (frac == 0) return Float80.ZeroOf(sign);
            flags |= DE;
            int lz = X87Round.Lzc(frac);
            return new Float80(sign, 63 - lz - 149 + Float80.Bias, frac << lz);
        }
        return new Float80(sign, exp - 127 + Float80.Bias, Float80.IntBit | frac << 40);
    }

    /// <summary>fst m64: rounds to double (range and precision); NaNs keep their top significand bits.</summary>
    public static ulong ToDouble(Float80 a, ushort fcw, ref int flags)
    {
        ulong sign = a.Sign ? 1UL << 63 : 0;
        if (a.IsUnsupported)
        {
            flags |= IE;
            return 0xFFF8_0000_0000_0000;
        }
        if (a.IsNaN)
        {
            if (a.IsSNaN) flags |= IE;
            return sign | 0x7FFUL << 52 | 1UL << 51 | (a.Mant >> 11) & ((1UL << 52) - 1);
        }
        if (a.IsInf) return sign | 0x7FFUL << 52;
        if (a.IsZero) return sign;
        int e = X87Round.Unpack(a, out var v);
        return X87Round.Pack64(X87Round.Round(a.Sign, e, v, RoundFormat.Double, fcw, false, ref flags));
    }

    public static uint ToSingle(Float80 a, ushort fcw, ref int flags)
    {
        uint sign = a.Sign ? 1U << 31 : 0;
        if (a.IsUnsupported)
        {
            flags |= IE;
            return 0xFFC0_0000;
        }
        if (a.IsNaN)
        {
            if (a.IsSNaN) flags |= IE;
            return sign | 0xFFU << 23 | 1U << 22 | (uint)(a.Mant >> 40) & ((1U << 23) - 1);
        }
        if (a.IsInf) return sign | 0xFFU << 23;
        if (a.IsZero) return sign;
        int e = X87Round.Unpack(a, out var v);
        return X87Round.Pack32(X87Round.Round(a.Sign, e, v, RoundFormat.Single, fcw, false, ref flags));
    }

    /// <summary>
    /// Magnitude of a finite value rounded to an integer in mode <paramref name="rc"/>; false when it does not fit in 64 bits.
    /// Raises PE when inexact and C1 when rounded up in magnitude.
    /// </summary>
    public static bool RoundMagnitude(Float80 a, int rc, ref int flags, out ulong mag)
    {
        mag = 0;
        if (a.IsZero) return true;
        int e = a.Normalized(out ulong sig);
        if (e >= 64) return false;
        if (e == 63)
        {
            mag = sig;
            return true;
        }
        // Integer part in the high 64 bits, fraction in the low 64 bits (sticky if shifted further).
        UInt128 v = X87Round.ShiftRightJam((UInt128)sig << 64, 63 - e);
        ulong ip = (ulong)(v >> 64), frac = (ulong)v;
        if (frac == 0)
        {
            mag = ip;
            return true;
        }
        flags |= PE;
        bool up = rc switch
        {
            0 => frac > 1UL << 63 || (frac == 1UL << 63 && (ip & 1) != 0),
            1 => a.Sign,
            2 => !a.Sign,
            _ => false,
        };
        if (up)
        {
            flags |= C1;
            if (ip == ulong.MaxValue) return false;
            ip++;
        }
        mag = ip;
        return true;
    }

    /// <summary>
    /// fist/fistp/fisttp: value rounded (<paramref name="rc"/>) to a signed <paramref name="bits"/>-bit integer.
    /// Out of range, NaN, infinity and unsupported encodings raise IE and give the integer indefinite (the minimum value).
    /// </summary>
    public static long ToInt(Float80 a, int bits, int rc, ref int flags)
    {
        long indefinite = long.MinValue >> (64 - bits);
        if (a.IsUnsupported || a.IsNaN || a.IsInf)
        {
            flags |= IE;
            return indefinite;
        }
        int before = flags;
        if (!RoundMagnitude(a, rc, ref flags, out ulong mag)
            || mag > (a.Sign ? 1UL << (bits - 1) : (1UL << (bits - 1)) - 1))
        {
            flags = before | IE;
            return indefinite;
        }
        return a.Sign ? -(long)mag : (long)mag;
    }

    /// <summary>frndint: rounds to an integral value in the control word's rounding mode (sign kept, also for zero results).</summary>
    public static Float80 RoundToIntegral(Float80 a, ushort fcw, ref int flags)
    {
        if (a.IsUnsupported)
        {
            flags |= IE;
            return Float80.Indefinite;
        }
        if (a.IsNaN) return Float80Arith.PropagateNaN(a, ref flags);
        if (a.IsInf || a.IsZero) return a;
        if (a.IsDenormal) flags |= DE;
        if (a.Normalized(out _) >= 63) return a;
        RoundMagnitude(a, X87Round.Mode(fcw), ref flags, out ulong mag);
        return FromInt64Magnitude(a.Sign, mag);
    }

    static Float80 FromInt64Magnitude(bool sign, ulong mag)
    {
        if (mag == 0) return Float80.ZeroOf(sign);
        int lz = X87Round.Lzc(mag);
        return new Float80(sign, 63 - lz + Float80.Bias, mag << lz);
    }

    /// <summary>fbld: 18 packed BCD digits and a sign byte (exact; invalid digits are taken at face value).</summary>
    public static Float80 FromBcd(ReadOnlySpan<byte> b)
    {
        ulong v = 0;
        for (int i = 8; i >= 0; i--) v = v * 100 + (ulong)(b[i] >> 4) * 10 + (ulong)(b[i] & 15);
        return FromInt64Magnitude((b[9] & 0x80) != 0, v);
    }

    /// <summary>fbstp: rounds in the control word's mode and encodes 18 BCD digits; false (IE) when out of range or not a number.</summary>
    public static bool ToBcd(Float80 a, ushort fcw, Span<byte> dst, ref int flags)
    {
        int before = flags;
        if (a.IsUnsupported || a.IsNaN || a.IsInf
            || !RoundMagnitude(a, X87Round.Mode(fcw), ref flags, out ulong mag) || mag > 999_999_999_999_999_999UL)
        {
            flags = before | IE;
            dst.Clear();
            dst[7] = 0xC0;
            dst[8] = 0xFF;
            dst[9] = 0xFF;
            return false;
        }
        for (int i = 0; i < 9; i++)
        {
            int lo = (int)(mag % 10);
            mag /= 10;
            int hi = (int)(mag % 10);
            mag /= 10;
            dst[i] = (byte)(hi << 4 | lo);
        }
        dst[9] = a.Sign ? (byte)0x80 : (byte)0;
        return true;
    }
}
