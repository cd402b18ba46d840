using static UserEmu.Cpu.X86.X87.X87Status;
using DD = UserEmu.Cpu.X86.X87.DoubleDouble;

namespace UserEmu.Cpu.X86.X87;

/// <summary>fsin, fcos, fsincos, fptan, fpatan, f2xm1, fyl2x, fyl2xp1: special operands per the SDM tables, finite ones in double-double, rounded once.</summary>
/// <remarks>
/// The x87 documents these within about one ulp; a double-double (≈106 bits) intermediate rounded once to 64 bits
/// is within that everywhere and correctly rounded nearly always. Precision control does not apply to them.
/// </remarks>
public static unsafe class X87Transcendental
{
    /// <summary>Runs <paramref name="op"/> with ST(0) = <paramref name="x"/> (the register stack has been checked for underflow).</summary>
    public static void Run(CpuState* s, X87Op op, Float80 x, ushort fcw)
    {
        switch (op)
        {
            case X87Op.Sin or X87Op.Cos or X87Op.Tan or X87Op.SinCos:
                Trig(s, op, x, fcw);
                return;
            case X87Op.F2xm1:
            {
                int flags = 0;
                var r = F2xm1(x, fcw, ref flags);
                if (X87Stack.Commit(s, flags)) X87Stack.Set(s, 0, r);
                return;
            }
            default:
            {
                int flags = 0;
                Float80 y = X87Stack.Get(s, 1);
                var r = op switch
                {
                    X87Op.Atan => Atan2(y, x, fcw, ref flags),
                    X87Op.Yl2x => Yl2x(y, x, fcw, ref flags),
                    _ => Yl2xp1(y, x, fcw, ref flags),
                };
                if (!X87Stack.Commit(s, flags)) return;
                X87Stack.Set(s, 1, r);
                X87Stack.Pop(s);
                return;
            }
        }
    }

    static void Trig(CpuState* s, X87Op op, Float80 x, ushort fcw)
    {
        bool pushes = op is X87Op.Tan or X87Op.SinCos;
        if (pushes && !X87Stack.IsEmpty(s, 7))
        {
            X87Stack.Report(s, IE | SF | C1);
            s->Fsw &= unchecked((ushort)~C2);
            if ((fcw & IE) == 0) return;
            X87Stack.Set(s, 0, Float80.Indefinite);
            X87Stack.Push(s, Float80.Indefinite);
            return;
        }
        int flags = 0;
        Float80 first, second = Float80.One;
        if (x.IsUnsupported || x.IsInf)
        {
            flags |= IE;
            first = second = Float80.Indefinite;
        }
        else if (x.IsNaN)
        {
            first = second = Float80Arith.PropagateNaN(x, ref flags);
        }
        else if (x.IsZero)
        {
            first = op == X87Op.Cos ? Float80.One : x;
            second = op == X87Op.SinCos ? Float80.One : Float80.One;
        }
        else
        {
            int e = x.Normalized(out ulong sig);
            if (e >= 63)
            {
                // Out of range: C2 = 1 and the operand stays, for software to reduce it.
                s->Fsw |= C2;
                return;
            }
            if (x.IsDenormal) flags |= DE;
            SinCosOf(x.Sign, sig, e, fcw, ref flags, op, out first, out second);
        }
        bool commit = X87Stack.Commit(s, flags);
        s->Fsw &= unchecked((ushort)~C2);
        if (!commit) return;
        X87Stack.Set(s, 0, first);
        if (pushes) X87Stack.Push(s, second);
    }

    /// <summary>The results of a trig op on a finite non-zero x: (sin or cos or tan, and the value pushed by fsincos/fptan).</summary>
    static void SinCosOf(bool sign, ulong sig, int e, ushort fcw, ref int flags, X87Op op, out Float80 first, out Float80 second)
    {
        second = Float80.One;
        if (e < -64)
        {
            // Tiny x: the CPU returns sin x = tan x = x and cos x = 1 (inexact), without steering the rounding by x²/6.
            int sinFlags = PE, cosFlags = PE;
            // A denormal result is tiny and inexact: underflow.
            if (e < 1 - Float80.Bias) sinFlags |= UE;
            var xv = X87Round.Pack80(X87Round.Round(sign, e, (UInt128)sig << 64, RoundFormat.Extended(64), fcw, true, ref sinFlags));
            // cos x = 1 - x²/2: the CPU lets x² steer the rounding while it is representable, then answers 1.
            var cosX = Float80.One;
            if (e >= -96)
            {
                DD x = Mantissa(sig) * Math.ScaleB(1.0, e);
                cosX = Pack(DD.One - x * x * 0.5, 0, fcw, ref cosFlags);
            }
            switch (op)
            {
                case X87Op.Sin or X87Op.Tan: first = xv; flags |= sinFlags; break;
                case X87Op.Cos: first = cosX; flags |= cosFlags; break;
                default:
                    // fsincos: ST(1) = sin, ST(0) = cos.
                    first = xv;
                    second = cosX;
                    flags |= (sinFlags & ~C1) | cosFlags;
                    break;
            }
            return;
        }
        DD r;
        int q = 0;
        if (e < -1) r = Mantissa(sig) * Math.ScaleB(1.0, e);
        else r = X87TrigReduction.Reduce(sig, e, out q);
        var (sin, cos) = DD.SinCos(r);
        DD sinV = (q & 3) switch { 0 => sin, 1 => cos, 2 => -sin, _ => -cos };
        DD cosV = (q & 3) switch { 0 => cos, 1 => -sin, 2 => -cos, _ => sin };
        if (sign) sinV = -sinV;
        switch (op)
        {
            case X87Op.Sin: first = Pack(sinV, 0, fcw, ref flags); break;
            case X87Op.Cos: first = Pack(cosV, 0, fcw, ref flags); break;
            case X87Op.Tan: first = Pack(sinV / cosV, 0, fcw, ref flags); break;
            default:
            {
                // C1 reports the rounding of the value left in ST(0), the cosine.
                int sinFlags = 0;
                first = Pack(sinV, 0, fcw, ref sinFlags);
                flags |= sinFlags & ~C1;
                second = Pack(cosV, 0, fcw, ref flags);
                break;
            }
        }
    }

    /// <summary>The significand as a double-double in [1, 2).</summary>
    static DD Mantissa(ulong sig)
    {
        var m = DD.FromUInt64(sig);
        return new DD(Math.ScaleB(m.Hi, -63), Math.ScaleB(m.Lo, -63));
    }

    static Float80 F2xm1(Float80 x, ushort fcw, ref int flags)
    {
        if (x.IsUnsupported) return Invalid(ref flags);
        if (x.IsNaN) return Float80Arith.PropagateNaN(x, ref flags);
        if (x.IsZero) return x;
        if (x.IsInf) return x.Sign ? new Float80(true, Float80.Bias, Float80.IntBit) : x;
        if (x.IsDenormal) flags |= DE;
        int e = x.Normalized(out ulong sig);
        DD m = Mantissa(sig);
        if (x.Sign) m = -m;
        if (e < -60)
        {
            // 2^x - 1 = x·ln2·(1 + x·ln2/2 + ...), kept in scaled form so tiny x stays exact.
            DD t = m * DD.Ln2;
            DD corr = DD.One + new DD(Math.ScaleB(t.Hi, e - 1), Math.ScaleB(t.Lo, e - 1));
            return Pack(t * corr, e, fcw, ref flags);
        }
        DD xv = new(Math.ScaleB(m.Hi, e), Math.ScaleB(m.Lo, e));
        // 2^±1 - 1 is exact.
        bool exact = e == 0 && sig == Float80.IntBit;
        return Pack(DD.ExpM1(xv * DD.Ln2), 0, fcw, ref flags, !exact);
    }

    /// <summary>log2 of a positive double-double: k + ln(w/2^k)/ln2 with w/2^k in [0.707, 1.414].</summary>
    static DD Log2(DD w, int extraExp)
    {
        int k = Math.ILogB(w.Hi);
        w = new DD(Math.ScaleB(w.Hi, -k), Math.ScaleB(w.Lo, -k));
        if (w.Hi > 1.4142135623730951)
        {
            k++;
            w = new DD(w.Hi / 2, w.Lo / 2);
        }
        return new DD(k + extraExp, 0) + DD.Log(w) / DD.Ln2;
    }

    static Float80 Yl2x(Float80 y, Float80 x, ushort fcw, ref int flags)
    {
        if (x.IsUnsupported || y.IsUnsupported) return Invalid(ref flags);
        if (x.IsNaN || y.IsNaN) return Float80Arith.PropagateNaN(x, y, ref flags);
        if (x.Sign && !x.IsZero) return Invalid(ref flags);
        if (x.IsZero)
        {
            // Like a division by zero, this is detected before a denormal operand.
            if (y.IsZero) return Invalid(ref flags);
            if (!y.IsInf) flags |= ZE;
            return Float80.Infinity(!y.Sign);
        }
        if (x.IsDenormal || y.IsDenormal) flags |= DE;
        if (x.IsInf)
        {
            if (y.IsZero) return Invalid(ref flags);
            return Float80.Infinity(y.Sign);
        }
        int ex = x.Normalized(out ulong sx);
        bool xIsOne = ex == 0 && sx == Float80.IntBit;
        if (y.IsInf)
        {
            if (xIsOne) return Invalid(ref flags);
            return Float80.Infinity(y.Sign != (ex < 0));
        }
        if (xIsOne || y.IsZero) return Float80.ZeroOf(y.Sign != (ex < 0));
        DD log = Log2(Mantissa(sx), ex);
        int ey = y.Normalized(out ulong sy);
        DD ym = Mantissa(sy);
        if (y.Sign) ym = -ym;
        return Pack(log * ym, ey, fcw, ref flags, transcendental: false);
    }

    static Float80 Yl2xp1(Float80 y, Float80 x, ushort fcw, ref int flags)
    {
        if (x.IsUnsupported || y.IsUnsupported) return Invalid(ref flags);
        if (x.IsNaN || y.IsNaN) return Float80Arith.PropagateNaN(x, y, ref flags);
        if (x.IsDenormal || y.IsDenormal) flags |= DE;
        if (x.IsZero)
        {
            if (y.IsInf) return Invalid(ref flags);
            return Float80.ZeroOf(x.Sign != y.Sign);
        }
        int ex = x.IsInf ? int.MaxValue : x.Normalized(out _);
        x.Normalized(out ulong sx);
        // Below -1 the logarithm is undefined; -1 itself gives an infinity.
        if (x.Sign && (ex > 0 || (ex == 0 && sx > Float80.IntBit))) return Invalid(ref flags);
        if (x.Sign && ex == 0)
        {
            if (y.IsZero) return Invalid(ref flags);
            flags |= ZE;
            return Float80.Infinity(!y.Sign);
        }
        if (x.IsInf || y.IsInf)
        {
            if (y.IsZero) return Invalid(ref flags);
            return Float80.Infinity(x.Sign != y.Sign);
        }
        if (y.IsZero) return Float80.ZeroOf(x.Sign != y.Sign);
        int ey = y.Normalized(out ulong sy);
        DD ym = Mantissa(sy);
        if (y.Sign) ym = -ym;
        DD xm = Mantissa(sx);
        if (x.Sign) xm = -xm;
        DD log;
        int scale = ey;
        if (ex < -100)
        {
            // log2(1 + x) = x/ln2 · (1 - x/2 + ...), kept in scaled form.
            DD corr = DD.One - new DD(Math.ScaleB(xm.Hi, ex - 1), Math.ScaleB(xm.Lo, ex - 1));
            log = xm / DD.Ln2 * corr;
            scale += ex;
        }
        else
        {
            DD xv = new(Math.ScaleB(xm.Hi, ex), Math.ScaleB(xm.Lo, ex));
            DD w = DD.One + xv;
            log = Math.Abs(xv.Hi) < 0.25 ? DD.Atanh(xv / (new DD(2, 0) + xv)) * 2 / DD.Ln2 : Log2(w, 0);
        }
        return Pack(log * ym, scale, fcw, ref flags, transcendental: false);
    }

    static Float80 Atan2(Float80 y, Float80 x, ushort fcw, ref int flags)
    {
        if (x.IsUnsupported || y.IsUnsupported) return Invalid(ref flags);
        if (x.IsNaN || y.IsNaN) return Float80Arith.PropagateNaN(x, y, ref flags);
        if (x.IsDenormal || y.IsDenormal) flags |= DE;
        bool sign = y.Sign;
        DD angle;
        int scale = 0;
        if (y.IsZero) return x.Sign ? Pack(Signed(DD.Pi, sign), 0, fcw, ref flags) : Float80.ZeroOf(sign);
        if (y.IsInf)
        {
            angle = x.IsInf ? (x.Sign ? DD.Pi * 0.75 : DD.Pi * 0.25) : DD.HalfPi;
        }
        else if (x.IsZero)
        {
            angle = DD.HalfPi;
        }
        else if (x.IsInf)
        {
            if (!x.Sign) return Float80.ZeroOf(sign);
            angle = DD.Pi;
        }
        else
        {
            int ey = y.Normalized(out ulong sy), ex = x.Normalized(out ulong sx);
            DD a = Mantissa(sy), b = Mantissa(sx);
            bool steep = ey > ex || (ey == ex && sy > sx);
            int d = steep ? ex - ey : ey - ex;
            DD ratio = steep ? b / a : a / b;
            if (d < -900)
            {
                // atan(t) = t(1 - t²/3 ...) with t below 2^-900: t itself, scaled.
                if (!steep && !x.Sign) return Pack(Signed(ratio, sign), d, fcw, ref flags);
                angle = steep ? DD.HalfPi : DD.Pi;
                if (steep && x.Sign) angle = DD.HalfPi;
            }
            else
            {
                DD t = DD.Atan(new DD(Math.ScaleB(ratio.Hi, d), Math.ScaleB(ratio.Lo, d)));
                angle = steep ? DD.HalfPi - t : t;
                if (x.Sign) angle = DD.Pi - angle;
            }
        }
        return Pack(Signed(angle, sign), scale, fcw, ref flags);
    }

    static DD Signed(DD v, bool negative) => negative ? -v : v;

    static Float80 Invalid(ref int flags)
    {
        flags |= IE;
        return Float80.Indefinite;
    }

    /// <summary>Rounds v · 2^extraExp to extended precision (64 bits, the control word's rounding mode) from its exact binary value.</summary>
    static Float80 Pack(DD v, int extraExp, ushort fcw, ref int flags, bool transcendental = true)
    {
        // A transcendental value is never exactly representable, even when its double-double happens to be.
        if (transcendental) flags |= PE;
        if (v.Hi == 0) return Float80.Zero;
        bool sign = v.Hi < 0;
        if (sign) v = -v;
        Decompose(v.Hi, out ulong mh, out int eh);
        UInt128 acc = (UInt128)mh << 75;
        int scale = eh - 75;
        if (v.Lo != 0)
        {
            Decompose(Math.Abs(v.Lo), out ulong ml, out int el);
            UInt128 lo = el >= scale ? (UInt128)ml << (el - scale) : X87Round.ShiftRightJam(ml, scale - el);
            acc = v.Lo > 0 ? acc + lo : acc - lo;
        }
        int e = X87Round.Normalize(ref acc, scale + extraExp);
        return X87Round.Pack80(X87Round.Round(sign, e, acc, RoundFormat.Extended(64), fcw, true, ref flags));
    }

    static void Decompose(double d, out ulong mant, out int exp)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(d);
        int be = (int)(bits >> 52) & 0x7FF;
        ulong frac = bits & ((1UL << 52) - 1);
        if (be == 0)
        {
            mant = frac;
            exp = -1074;
        }
        else
        {
            mant = frac | 1UL << 52;
            exp = be - 1075;
        }
    }
}
