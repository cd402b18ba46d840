using System.Runtime.CompilerServices;

namespace UserEmu.Cpu.X86;

/// <summary>The arithmetic operations of the SSE float instructions.</summary>
public enum SseArithOp { Add, Sub, Mul, Div, Min, Max, Sqrt }

public static partial class SseFloat
{
    /// <summary>One lane of add/sub/mul/div/min/max/sqrt (sqrt uses <paramref name="b"/>), with x86 NaN rules and MXCSR flags.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Arith(SseArithOp op, ulong a, ulong b, bool single, uint mx, ref uint flags) =>
        TryFast(op, a, b, single, mx, ref flags, out ulong r) ? r : ArithExact(op, a, b, single, mx, ref flags);

    /// <summary>The general path of <see cref="Arith"/>: every operand class, rounding mode and flag rule.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static ulong ArithExact(SseArithOp op, ulong a, ulong b, bool single, uint mx, ref uint flags) => op switch
    {
        SseArithOp.Add => Add(a, b, single, mx, ref flags),
        SseArithOp.Sub => Add(a, b ^ SignMask(single), single, mx, ref flags, b),
        SseArithOp.Mul => Mul(a, b, single, mx, ref flags),
        SseArithOp.Div => Div(a, b, single, mx, ref flags),
        SseArithOp.Min => MinMax(a, b, single, mx, ref flags, max: false),
        SseArithOp.Max => MinMax(a, b, single, mx, ref flags, max: true),
        _ => Sqrt(b, single, mx, ref flags),
    };

    /// <summary>
    /// NaN operands of a two-operand operation: IE for any SNaN; the first operand wins when both are NaN, quietened.
    /// Returns false when neither operand is a NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool NaNOperands(ulong a, ulong b, bool single, ref uint flags, out ulong result)
    {
        bool na = IsNaN(a, single), nb = IsNaN(b, single);
        result = 0;
        if (!na && !nb) return false;
        if (IsSNaN(a, single) || IsSNaN(b, single)) flags |= Mxcsr.IE;
        result = Quiet(na ? a : b, single);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong Invalid(bool single, ref uint flags)
    {
        flags |= Mxcsr.IE;
        return DefaultNaN(single);
    }

    /// <summary>a + b. <paramref name="origB"/> is b before sub flipped its sign, which a NaN result must show.</summary>
    static ulong Add(ulong a, ulong b, bool single, uint mx, ref uint flags, ulong? origB = null)
    {
        if (NaNOperands(a, origB ?? b, single, ref flags, out ulong nan)) return nan;
        a = DenormalIn(a, single, mx, ref flags);
        b = DenormalIn(b, single, mx, ref flags);
        bool ia = IsInf(a, single), ib = IsInf(b, single);
        if (ia || ib)
        {
            if (ia && ib && IsNeg(a, single) != IsNeg(b, single)) return Invalid(single, ref flags);
            return ia ? a : b;
        }
        bool za = IsZero(a, single), zb = IsZero(b, single);
        if (za && zb)
        {
            // Zeros of different signs add to +0, or -0 when rounding down.
            if (IsNeg(a, single) == IsNeg(b, single)) return a;
            return Zero(Mxcsr.Rc(mx) == Mxcsr.RoundDown, single);
        }
        // x + 0 is x, which still goes through rounding for FTZ/underflow of a denormal x.
        if (zb || za) return Exact(za ? b : a, single, mx, ref flags);
        double x = ToDouble(a, single), y = ToDouble(b, single);
        int ex = Math.ILogB(x), ey = Math.ILogB(y);
        if (Math.Abs(ex - ey) > 150)
        {
            // The smaller operand lies entirely below the rounding position: it only says which way the error goes.
            double big = ex > ey ? x : y, small = ex > ey ? y : x;
            int bigExp = Math.Max(ex, ey);
            bool negBig = big < 0;
            int err = (small < 0) == negBig ? 1 : -1;
            return RoundScaled(negBig, Math.Abs(Math.ScaleB(big, -bigExp)), err, bigExp, single, mx, ref flags);
        }
        int k = Math.Max(ex, ey);
        double xs = Math.ScaleB(x, -k), ys = Math.ScaleB(y, -k);
        double s = xs + ys;
        if (s == 0) return Zero(Mxcsr.Rc(mx) == Mxcsr.RoundDown, single);
        // TwoSum: the exact rounding error of s.
        double bv = s - xs;
        double err2 = (xs - (s - bv)) + (ys - bv);
        bool neg = s < 0;
        int errSign = Math.Sign(err2) * (neg ? -1 : 1);
        return RoundScaled(neg, Math.Abs(s), errSign, k, single, mx, ref flags);
    }

    /// <summary>A representable finite value, passed through rounding only for the FTZ and underflow rules of denormals.</summary>
    static ulong Exact(ulong v, bool single, uint mx, ref uint flags)
    {
        if (!IsDenormal(v, single)) return v;
        double x = Math.Abs(ToDouble(v, single));
        int ex = Math.ILogB(x);
        return RoundScaled(IsNeg(v, single), Math.ScaleB(x, -ex), 0, ex, single, mx, ref flags);
    }

    static ulong Mul(ulong a, ulong b, bool single, uint mx, ref uint flags)
    {
        if (NaNOperands(a, b, single, ref flags, out ulong nan)) return nan;
        a = DenormalIn(a, single, mx, ref flags);
        b = DenormalIn(b, single, mx, ref flags);
        bool neg = IsNeg(a, single) != IsNeg(b, single);
        bool ia = IsInf(a, single), ib = IsInf(b, single), za = IsZero(a, single), zb = IsZero(b, single);
        if ((ia && zb) || (ib && za)) return Invalid(single, ref flags);
        if (ia || ib) return Inf(neg, single);
        if (za || zb) return Zero(neg, single);
        double x = Math.Abs(ToDouble(a, single)), y = Math.Abs(ToDouble(b, single));
        int ex = Math.ILogB(x), ey = Math.ILogB(y);
        double xs = Math.ScaleB(x, -ex), ys = Math.ScaleB(y, -ey);
        double p = xs * ys;
        double err = Math.FusedMultiplyAdd(xs, ys, -p);
        return RoundScaled(neg, p, Math.Sign(err), ex + ey, single, mx, ref flags);
    }

    static ulong Div(ulong a, ulong b, bool single, uint mx, ref uint flags)
    {
        if (NaNOperands(a, b, single, ref flags, out ulong nan)) return nan;
        bool neg = IsNeg(a, single) != IsNeg(b, single);
        // Division by zero is detected first: a denormal dividend then raises ZE alone.
        if (IsZero(DenormalIn(b, single, mx, ref flags, reportDenormal: false), single))
        {
            ulong a0 = DenormalIn(a, single, mx, ref flags, reportDenormal: false);
            if (IsZero(a0, single)) return Invalid(single, ref flags);
            if (!IsInf(a0, single)) flags |= Mxcsr.ZE;
            return Inf(neg, single);
        }
        a = DenormalIn(a, single, mx, ref flags);
        b = DenormalIn(b, single, mx, ref flags);
        bool ia = IsInf(a, single), ib = IsInf(b, single), za = IsZero(a, single);
        if (ia && ib) return Invalid(single, ref flags);
        if (ia) return Inf(neg, single);
        if (ib || za) return Zero(neg, single);
        double x = Math.Abs(ToDouble(a, single)), y = Math.Abs(ToDouble(b, single));
        int ex = Math.ILogB(x), ey = Math.ILogB(y);
        double xs = Math.ScaleB(x, -ex), ys = Math.ScaleB(y, -ey);
        double q = xs / ys;
        // The remainder xs - q*ys is exact with one fused multiply-add.
        double rem = Math.FusedMultiplyAdd(-q, ys, xs);
        return RoundScaled(neg, q, Math.Sign(rem), ex - ey, single, mx, ref flags);
    }

    static ulong Sqrt(ulong b, bool single, uint mx, ref uint flags)
    {
        if (IsNaN(b, single))
        {
            if (IsSNaN(b, single)) flags |= Mxcsr.IE;
            return Quiet(b, single);
        }
        // A negative denormal is invalid without DE (unless DAZ makes it -0).
        if (IsNeg(b, single) && !IsZero(b, single) && (!IsDenormal(b, single) || (mx & Mxcsr.DAZ) == 0)) return Invalid(single, ref flags);
        b = DenormalIn(b, single, mx, ref flags);
        if (IsZero(b, single)) return b;
        if (IsInf(b, single)) return b;
        double x = ToDouble(b, single);
        int ex = Math.ILogB(x) & ~1;
        double xs = Math.ScaleB(x, -ex);
        double r = Math.Sqrt(xs);
        double rem = Math.FusedMultiplyAdd(-r, r, xs);
        return RoundScaled(false, r, Math.Sign(rem), ex / 2, single, mx, ref flags);
    }

    /// <summary>min/max: the second operand when either is a NaN (IE for QNaN too) or both are zero.</summary>
    static ulong MinMax(ulong a, ulong b, bool single, uint mx, ref uint flags, bool max)
    {
        if (IsNaN(a, single) || IsNaN(b, single))
        {
            // No DE then, but DAZ still applies to the operand returned.
            flags |= Mxcsr.IE;
            return DenormalIn(b, single, mx, ref flags, reportDenormal: false);
        }
        a = DenormalIn(a, single, mx, ref flags);
        b = DenormalIn(b, single, mx, ref flags);
        double x = ToDouble(a, single), y = ToDouble(b, single);
        return (max ? x > y : x < y) ? a : b;
    }
}
