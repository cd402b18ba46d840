using static UserEmu.Cpu.X86.X87.X87Status;

namespace UserEmu.Cpu.X86.X87;

/// <summary>Correctly rounded x87 arithmetic on <see cref="Float80"/>: add, subtract, multiply, divide, square root, compare.</summary>
/// <remarks>
/// Every operation works on the exact intermediate (a 128-bit significand with a sticky bit) and rounds once with
/// <see cref="X87Round"/>. Exceptions are or-ed into <c>flags</c> (FSW positions; C1 means "rounded up").
/// </remarks>
public static class Float80Arith
{
    /// <summary>The x87 choice among NaN operands (SNaN raises IE; two NaNs: the larger significand wins).</summary>
    public static Float80 PropagateNaN(Float80 a, Float80 b, ref int flags)
    {
        bool sa = a.IsSNaN, sb = b.IsSNaN;
        if (sa || sb) flags |= IE;
        if (a.IsNaN && b.IsNaN)
        {
            // A signaling and a quiet NaN: the quiet one; two of a kind: the larger significand (then the positive one).
            if (sa != sb) return sa ? b : a;
            ulong ma = a.Mant | Float80.QuietBit, mb = b.Mant | Float80.QuietBit;
            if (ma != mb) return (ma > mb ? a : b).Quiet();
            return (a.Sign ? b : a).Quiet();
        }
        return (a.IsNaN ? a : b).Quiet();
    }

    public static Float80 PropagateNaN(Float80 a, ref int flags)
    {
        if (a.IsSNaN) flags |= IE;
        return a.Quiet();
    }

    /// <summary>NaN and unsupported-encoding handling shared by two-operand operations; true when <paramref name="r"/> is the result.</summary>
    static bool Special(Float80 a, Float80 b, ref int flags, out Float80 r, bool denormalCheck = true)
    {
        if (a.IsUnsupported || b.IsUnsupported)
        {
            flags |= IE;
            r = Float80.Indefinite;
            return true;
        }
        if (a.IsNaN || b.IsNaN)
        {
            r = PropagateNaN(a, b, ref flags);
            return true;
        }
        if (denormalCheck && (a.IsDenormal || b.IsDenormal)) flags |= DE;
        r = default;
        return false;
    }

    static Float80 Invalid(ref int flags)
    {
        flags |= IE;
        return Float80.Indefinite;
    }

    public static Float80 Add(Float80 a, Float80 b, ushort fcw, ref int flags) => AddSigned(a, b, false, fcw, ref flags);

    public static Float80 Sub(Float80 a, Float80 b, ushort fcw, ref int flags) => AddSigned(a, b, true, fcw, ref flags);

    static Float80 AddSigned(Float80 a, Float80 b, bool negateB, ushort fcw, ref int flags)
    {
        if (Special(a, b, ref flags, out var r)) return r;
        if (negateB) b = b.Negate();
        if (a.IsInf)
        {
            if (b.IsInf && a.Sign != b.Sign) return Invalid(ref flags);
            return a;
        }
        if (b.IsInf) return b;
        if (a.IsZero && b.IsZero)
            return Float80.ZeroOf(a.Sign == b.Sign ? a.Sign : X87Round.ZeroSumSign(fcw));
        if (a.IsZero) return RoundValue(b, fcw, ref flags);
        if (b.IsZero) return RoundValue(a, fcw, ref flags);
        int ea = a.Normalized(out ulong sa), eb = b.Normalized(out ulong sb);
        bool signA = a.Sign, signB = b.Sign;
        if (eb > ea || (eb == ea && sb > sa))
        {
            (ea, eb) = (eb, ea);
            (sa, sb) = (sb, sa);
            (signA, signB) = (signB, signA);
        }
        // Leading bit at 126 leaves room for the carry of an addition.
        UInt128 va = (UInt128)sa << 63;
        UInt128 vb = X87Round.ShiftRightJam((UInt128)sb << 63, ea - eb);
        UInt128 s = signA == signB ? va + vb : va - vb;
        if (s == 0) return Float80.ZeroOf(X87Round.ZeroSumSign(fcw));
        int e = X87Round.Normalize(ref s, ea - 126);
        return X87Round.RoundExtended(signA, e, s, fcw, ref flags);
    }

    /// <summary>A finite non-zero operand rounded at full precision (exact, except that it may flag a denormal result).</summary>
    public static Float80 RoundFinite(Float80 a, ushort fcw, ref int flags)
    {
        int e = X87Round.Unpack(a, out var v);
        return X87Round.Pack80(X87Round.Round(a.Sign, e, v, RoundFormat.Extended(64), fcw, true, ref flags));
    }

    /// <summary>A finite non-zero operand rounded to the control word's precision (x + 0).</summary>
    static Float80 RoundValue(Float80 a, ushort fcw, ref int flags)
    {
        int e = X87Round.Unpack(a, out var v);
        return X87Round.RoundExtended(a.Sign, e, v, fcw, ref flags);
    }

    public static Float80 Mul(Float80 a, Float80 b, ushort fcw, ref int flags)
    {
        if (Special(a, b, ref flags, out var r)) return r;
        bool sign = a.Sign != b.Sign;
        if (a.IsInf || b.IsInf)
        {
            if (a.IsZero || b.IsZero) return Invalid(ref flags);
            return Float80.Infinity(sign);
        }
        if (a.IsZero || b.IsZero) return Float80.ZeroOf(sign);
        int ea = a.Normalized(out ulong sa), eb = b.Normalized(out ulong sb);
        UInt128 p = (UInt128)sa * sb;
        int e = X87Round.Normalize(ref p, ea - 63 + eb - 63);
        return X87Round.RoundExtended(sign, e, p, fcw, ref flags);
    }

    public static Float80 Div(Float80 a, Float80 b, ushort fcw, ref int flags)
    {
        if (Special(a, b, ref flags, out var r, denormalCheck: false)) return r;
        bool sign = a.Sign != b.Sign;
        // Division by zero is detected before a denormal dividend.
        if (b.IsZero && !a.IsZero && !a.IsInf)
        {
            flags |= ZE;
            return Float80.Infinity(sign);
        }
        if (a.IsDenormal || b.IsDenormal) flags |= DE;
        if (a.IsInf)
        {
            if (b.IsInf) return Invalid(ref flags);
            return Float80.Infinity(sign);
        }
        if (b.IsInf) return Float80.ZeroOf(sign);
        if (b.IsZero)
        {
            if (a.IsZero) return Invalid(ref flags);
            flags |= ZE;
            return Float80.Infinity(sign);
        }
        if (a.IsZero) return Float80.ZeroOf(sign);
        int ea = a.Normalized(out ulong sa), eb = b.Normalized(out ulong sb);
        UInt128 num = (UInt128)sa << 64;
        UInt128 q = num / sb;
        UInt128 rem = num - q * sb;
        // Two more quotient bits (a 64-bit quotient has no guard bit yet) and a sticky bit keep the rounding exact.
        UInt128 rem4 = rem << 2;
        UInt128 q2 = rem4 / sb;
        rem = rem4 - q2 * sb;
        UInt128 x = (q << 3) | (q2 << 1) | (rem != 0 ? UInt128.One : UInt128.Zero);
        int e = X87Round.Normalize(ref x, ea - eb - 64 - 3);
        return X87Round.RoundExtended(sign, e, x, fcw, ref flags);
    }

    public static Float80 Sqrt(Float80 a, ushort fcw, ref int flags)
    {
        if (a.IsUnsupported) return Invalid(ref flags);
        if (a.IsNaN) return PropagateNaN(a, ref flags);
        if (a.IsZero) return a;
        if (a.Sign) return Invalid(ref flags);
        if (a.IsInf) return a;
        if (a.IsDenormal) flags |= DE;
        int e = a.Normalized(out ulong sig);
        // value = r * 2^k with k even; r has at most 65 bits.
        UInt128 rad = sig;
        int k = e - 63;
        if ((k & 1) != 0)
        {
            rad <<= 1;
            k--;
        }
        UInt128 root = IntegerSqrt(rad, 33, out bool exact);
        // root ~ sqrt(rad) * 2^33 with 65..66 bits; the sticky bit below keeps rounding exact.
        UInt128 x = (root << 1) | (exact ? UInt128.Zero : UInt128.One);
        int re = X87Round.Normalize(ref x, k / 2 - 33 - 1);
        return X87Round.RoundExtended(false, re, x, fcw, ref flags);
    }

    /// <summary>floor(sqrt(rad * 4^extraPairs)) by the digit-by-digit method; rad below 2^66.</summary>
    static UInt128 IntegerSqrt(UInt128 rad, int extraPairs, out bool exact)
    {
        UInt128 rem = 0, root = 0;
        for (int i = 32; i >= -extraPairs; i--)
        {
            UInt128 pair = i >= 0 ? (rad >> (2 * i)) & 3 : 0;
            rem = (rem << 2) | pair;
            UInt128 trial = (root << 2) | 1;
            if (rem >= trial)
            {
                rem -= trial;
                root = (root << 1) | 1;
            }
            else root <<= 1;
        }
        exact = rem == 0;
        return root;
    }

    /// <summary>Comparison outcome: C3/C2/C0 meaning.</summary>
    public enum Order { Greater, Less, Equal, Unordered }

    /// <summary>Compares a with b; NaNs give Unordered and raise IE when signaling (or always, when <paramref name="quiet"/> is false).</summary>
    public static Order Compare(Float80 a, Float80 b, bool quiet, ref int flags)
    {
        if (a.IsUnsupported || b.IsUnsupported)
        {
            flags |= IE;
            return Order.Unordered;
        }
        if (a.IsNaN || b.IsNaN)
        {
            if (!quiet || a.IsSNaN || b.IsSNaN) flags |= IE;
            return Order.Unordered;
        }
        if (a.IsDenormal || b.IsDenormal) flags |= DE;
        int c = CompareValues(a, b);
        return c == 0 ? Order.Equal : c < 0 ? Order.Less : Order.Greater;
    }

    /// <summary>Total order on non-NaN supported values (zeros equal).</summary>
    public static int CompareValues(Float80 a, Float80 b)
    {
        if (a.IsZero && b.IsZero) return 0;
        if (a.Sign != b.Sign) return a.Sign ? -1 : 1;
        int m = CompareMagnitude(a, b);
        return a.Sign ? -m : m;
    }

    static int CompareMagnitude(Float80 a, Float80 b)
    {
        if (a.IsZero) return b.IsZero ? 0 : -1;
        if (b.IsZero) return 1;
        int ea = a.IsInf ? int.MaxValue : a.Normalized(out _);
        int eb = b.IsInf ? int.MaxValue : b.Normalized(out _);
        if (ea != eb) return ea < eb ? -1 : 1;
        if (a.IsInf) return 0;
        a.Normalized(out ulong sa);
        b.Normalized(out ulong sb);
        return sa.CompareTo(sb);
    }
}
