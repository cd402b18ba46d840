namespace UserEmu.Cpu.X86;

public static partial class SseFloat
{
    /// <summary>Integer indefinite: what float→integer conversions return for NaN and out-of-range values.</summary>
    public static ulong IntegerIndefinite(bool is64) => is64 ? 0x8000_0000_0000_0000UL : 0x8000_0000UL;

    /// <summary>cvtss2sd (<paramref name="fromSingle"/>) or cvtsd2ss: the NaN payload keeps its top bits, quietened.</summary>
    public static ulong ConvertFloat(ulong v, bool fromSingle, uint mx, ref uint flags)
    {
        bool toSingle = !fromSingle;
        if (IsNaN(v, fromSingle))
        {
            if (IsSNaN(v, fromSingle)) flags |= Mxcsr.IE;
            bool neg = IsNeg(v, fromSingle);
            return fromSingle
                ? (neg ? SignMask(false) : 0) | 0x7FF8_0000_0000_0000UL | ((v & FracMask(true)) << 29)
                : (neg ? SignMask(true) : 0) | 0x7FC0_0000UL | ((v & FracMask(false)) >> 29);
        }
        v = DenormalIn(v, fromSingle, mx, ref flags);
        bool n = IsNeg(v, fromSingle);
        if (IsInf(v, fromSingle)) return Inf(n, toSingle);
        if (IsZero(v, fromSingle)) return Zero(n, toSingle);
        double x = Math.Abs(ToDouble(v, fromSingle));
        if (fromSingle) return FromExact(n ? -x : x, false);
        int ex = Math.ILogB(x);
        return RoundScaled(n, Math.ScaleB(x, -ex), 0, ex, true, mx, ref flags);
    }

    /// <summary>cvtsi2ss/sd, cvtdq2ps/pd: a signed integer rounded with MXCSR.RC.</summary>
    public static ulong FromInt(long value, bool single, uint mx, ref uint flags)
    {
        // Integers within the significand's range convert exactly, in every rounding mode.
        if (value >= -(1L << 24) && value <= 1L << 24) return single ? (uint)BitConverter.SingleToInt32Bits(value) : (ulong)BitConverter.DoubleToInt64Bits(value);
        if (!single && value >= -(1L << 53) && value <= 1L << 53) return (ulong)BitConverter.DoubleToInt64Bits(value);
        bool neg = value < 0;
        ulong mag = neg ? (ulong)(-value) : (ulong)value;
        return Round(neg, mag, 0, single, mx, ref flags);
    }

    /// <summary>
    /// cvt(t)ss2si, cvt(t)sd2si, cvt(t)ps2dq, cvt(t)pd2dq: rounds with MXCSR.RC (or toward zero when
    /// <paramref name="truncate"/>); NaN and out-of-range values give IE and the integer indefinite.
    /// </summary>
    public static ulong ToInt(ulong v, bool single, bool is64, bool truncate, uint mx, ref uint flags)
    {
        if (IsNaN(v, single))
        {
            flags |= Mxcsr.IE;
            return IntegerIndefinite(is64);
        }
        v = DenormalIn(v, single, mx, ref flags, reportDenormal: false);
        double x = ToDouble(v, single);
        double r = RoundIntegral(x, truncate ? Mxcsr.RoundZero : Mxcsr.Rc(mx));
        double limit = is64 ? 9223372036854775808.0 : 2147483648.0;
        if (!(r >= -limit && r < limit))
        {
            flags |= Mxcsr.IE;
            return IntegerIndefinite(is64);
        }
        if (r != x) flags |= Mxcsr.PE;
        long i = (long)r;
        return is64 ? (ulong)i : (uint)(int)i;
    }

    /// <summary>An integral double in rounding mode <paramref name="rc"/>; zeros keep the sign of the input.</summary>
    static double RoundIntegral(double x, int rc) => rc switch
    {
        Mxcsr.RoundNearest => Math.Round(x, MidpointRounding.ToEven),
        Mxcsr.RoundDown => Math.Floor(x),
        Mxcsr.RoundUp => Math.Ceiling(x),
        _ => Math.Truncate(x),
    };

    /// <summary>
    /// roundps/pd/ss/sd: imm8 bits 1..0 the rounding mode, bit 2 "use MXCSR.RC instead", bit 3 suppresses PE.
    /// Only an SNaN raises IE; denormals raise no DE.
    /// </summary>
    public static ulong RoundToIntegral(ulong v, bool single, int imm8, uint mx, ref uint flags)
    {
        if (IsNaN(v, single))
        {
            if (IsSNaN(v, single)) flags |= Mxcsr.IE;
            return Quiet(v, single);
        }
        v = DenormalIn(v, single, mx, ref flags, reportDenormal: false);
        if (IsInf(v, single) || IsZero(v, single)) return v;
        double x = ToDouble(v, single);
        double r = RoundIntegral(x, (imm8 & 4) != 0 ? Mxcsr.Rc(mx) : imm8 & 3);
        if (r != x && (imm8 & 8) == 0) flags |= Mxcsr.PE;
        if (r == 0) return Zero(IsNeg(v, single), single);
        return FromExact(r, single);
    }
}
