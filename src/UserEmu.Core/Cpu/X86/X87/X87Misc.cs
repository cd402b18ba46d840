using static UserEmu.Cpu.X86.X87.X87Status;

namespace UserEmu.Cpu.X86.X87;

/// <summary>The exponent-manipulating x87 operations: fscale, fxtract, and the partial remainders fprem/fprem1.</summary>
public static class X87Misc
{
    /// <summary>fscale: x * 2^trunc(y), rounded at full precision.</summary>
    public static Float80 Scale(Float80 x, Float80 y, ushort fcw, ref int flags)
    {
        if (x.IsUnsupported || y.IsUnsupported)
        {
            flags |= IE;
            return Float80.Indefinite;
        }
        if (x.IsNaN || y.IsNaN) return Float80Arith.PropagateNaN(x, y, ref flags);
        if (x.IsDenormal || y.IsDenormal) flags |= DE;
        if (y.IsInf)
        {
            if (!y.Sign)
            {
                if (x.IsZero) return Invalid(ref flags);
                return x.IsInf ? x : Float80.Infinity(x.Sign);
            }
            if (x.IsInf) return Invalid(ref flags);
            return Float80.ZeroOf(x.Sign);
        }
        if (x.IsInf || x.IsZero) return x;
        // Scaling a denormal by ±0 returns it as it is, even with underflow unmasked (the host raises only DE); a
        // pseudo-denormal (J bit set) is normalised, and a nonzero y truncating to 0 rounds, through the path below.
        if (y.IsZero && x.IsDenormal && x.Mant >> 63 == 0) return x;
        // |trunc(y)| beyond 2^16 already over- or underflows every extended value.
        int n;
        if (y.IsZero) n = 0;
        else
        {
            int ey = y.Normalized(out ulong sy);
            long mag = ey < 0 ? 0 : ey >= 20 ? 1 << 20 : (long)(sy >> (63 - ey));
            n = (int)(y.Sign ? -mag : mag);
        }
        int e = X87Round.Unpack(x, out var v);
        return X87Round.Pack80(X87Round.Round(x.Sign, e + n, v, RoundFormat.Extended(64), fcw, true, ref flags));
    }

    static Float80 Invalid(ref int flags)
    {
        flags |= IE;
        return Float80.Indefinite;
    }

    /// <summary>fxtract: returns the unbiased exponent as a value and the significand (with x's sign, exponent 0) in <paramref name="sig"/>.</summary>
    public static Float80 Extract(Float80 x, ref int flags, out Float80 sig)
    {
        if (x.IsUnsupported)
        {
            flags |= IE;
            sig = Float80.Indefinite;
            return Float80.Indefinite;
        }
        if (x.IsNaN)
        {
            sig = Float80Arith.PropagateNaN(x, ref flags);
            return sig;
        }
        if (x.IsInf)
        {
            sig = x;
            return Float80.Infinity(false);
        }
        if (x.IsZero)
        {
            flags |= ZE;
            sig = x;
            return Float80.Infinity(true);
        }
        if (x.IsDenormal) flags |= DE;
        int e = x.Normalized(out ulong m);
        sig = new Float80(x.Sign, Float80.Bias, m);
        return Float80Convert.FromInt64(e);
    }

    /// <summary>
    /// fprem (quotient truncated) and fprem1 (quotient rounded to nearest): the exact remainder of x / y, or a partial one
    /// when the exponents differ by 64 or more. <paramref name="cc"/> gets C2 (incomplete) or the quotient's low bits in C0, C3, C1 (-1 for a NaN or invalid result).
    /// </summary>
    public static Float80 Remainder(Float80 x, Float80 y, bool nearest, ushort fcw, ref int flags, out int cc)
    {
        // cc -1: a NaN or invalid result (C2 and C1 cleared, C0 and C3 kept).
        cc = -1;
        if (x.IsUnsupported || y.IsUnsupported) return Invalid(ref flags);
        if (x.IsNaN || y.IsNaN) return Float80Arith.PropagateNaN(x, y, ref flags);
        if (x.IsInf || y.IsZero) return Invalid(ref flags);
        cc = 0;
        if (x.IsDenormal || y.IsDenormal) flags |= DE;
        if (x.IsZero) return x;
        // x rem ±inf is x: a denormal comes back as it is, even with underflow unmasked (the host raises only DE, as
        // for fscale by 0); a pseudo-denormal is normalised through the rounding path.
        if (y.IsInf) return x.IsDenormal && x.Mant >> 63 == 0 ? x : Float80Arith.RoundFinite(x, fcw, ref flags);
        int ex = x.Normalized(out ulong sx), ey = y.Normalized(out ulong sy);
        int d = ex - ey;
        bool sign = x.Sign;
        UInt128 num, den, q, r;
        int scale;
        if (d >= 64)
        {
            // A partial remainder reduces the exponent by 32..63, as the hardware does: 32 + (d mod 32).
            int n = 32 + (d & 31);
            // Reduce by y * trunc(x / y / 2^(d-n)) * 2^(d-n): the remainder of (sx * 2^n) mod sy, scaled back.
            num = (UInt128)sx << n;
            q = num / sy;
            r = num - q * sy;
            scale = ex - 63 - n;
            cc = C2;
            return Build(sign, r, scale, fcw, ref flags);
        }
        if (d < 0 && !(nearest && d == -1)) return Float80Arith.RoundFinite(x, fcw, ref flags);
        if (d >= 0)
        {
            num = (UInt128)sx << d;
            den = sy;
            scale = ey - 63;
        }
        else
        {
            num = sx;
            den = (UInt128)sy << 1;
            scale = ex - 63;
        }
        q = num / den;
        r = num - q * den;
        if (nearest && (r << 1 > den || (r << 1 == den && (q & 1) != 0)))
        {
            q++;
            r = den - r;
            sign = !sign;
        }
        int qi = (int)(q & 7);
        cc = ((qi & 4) != 0 ? C0 : 0) | ((qi & 2) != 0 ? C3 : 0) | ((qi & 1) != 0 ? C1 : 0);
        if (r == 0) return Float80.ZeroOf(x.Sign);
        return Build(sign, r, scale, fcw, ref flags);
    }

    static Float80 Build(bool sign, UInt128 r, int scale, ushort fcw, ref int flags)
    {
        if (r == 0) return Float80.ZeroOf(sign);
        int e = X87Round.Normalize(ref r, scale);
        return X87Round.Pack80(X87Round.Round(sign, e, r, RoundFormat.Extended(64), fcw, true, ref flags));
    }
}
