namespace UserEmu.Cpu.X86.X87;

/// <summary>An unevaluated sum of two doubles (about 106 significant bits): the working precision of the x87 transcendentals.</summary>
/// <remarks>Uses FMA for exact products; the host's double arithmetic is IEEE on x64 and arm64 alike.</remarks>
public readonly record struct DoubleDouble(double Hi, double Lo)
{
    public static readonly DoubleDouble Zero = new(0, 0);
    public static readonly DoubleDouble One = new(1, 0);
    public static readonly DoubleDouble Ln2 = new(0.6931471805599453, 2.3190468138462996e-17);
    public static readonly DoubleDouble Pi = new(3.141592653589793, 1.2246467991473532e-16);
    public static readonly DoubleDouble HalfPi = new(1.5707963267948966, 6.123233995736766e-17);

    static DoubleDouble TwoSum(double a, double b)
    {
        double s = a + b;
        double bb = s - a;
        return new(s, (a - (s - bb)) + (b - bb));
    }

    static DoubleDouble FastTwoSum(double a, double b)
    {
        double s = a + b;
        return new(s, b - (s - a));
    }

    public static DoubleDouble operator +(DoubleDouble a, DoubleDouble b)
    {
        var s = TwoSum(a.Hi, b.Hi);
        var t = TwoSum(a.Lo, b.Lo);
        var u = FastTwoSum(s.Hi, s.Lo + t.Hi);
        return FastTwoSum(u.Hi, u.Lo + t.Lo);
    }

    public static DoubleDouble operator -(DoubleDouble a) => new(-a.Hi, -a.Lo);
    public static DoubleDouble operator -(DoubleDouble a, DoubleDouble b) => a + -b;

    public static DoubleDouble operator *(DoubleDouble a, DoubleDouble b)
    {
        double p = a.Hi * b.Hi;
        double e = Math.FusedMultiplyAdd(a.Hi, b.Hi, -p);
        e += a.Hi * b.Lo + a.Lo * b.Hi;
        return FastTwoSum(p, e);
    }

    public static DoubleDouble operator *(DoubleDouble a, double b) => a * new DoubleDouble(b, 0);

    public static DoubleDouble operator /(DoubleDouble a, DoubleDouble b)
    {
        double q1 = a.Hi / b.Hi;
        var r = a - b * q1;
        double q2 = r.Hi / b.Hi;
        r -= b * q2;
        double q3 = r.Hi / b.Hi;
        return FastTwoSum(q1, q2) + new DoubleDouble(q3, 0);
    }

    public static DoubleDouble Sqrt(DoubleDouble a)
    {
        if (a.Hi <= 0) return Zero;
        double s = Math.Sqrt(a.Hi);
        var r = a - new DoubleDouble(s, 0) * s;
        return FastTwoSum(s, r.Hi / (2 * s));
    }

    /// <summary>A 64-bit integer, exactly.</summary>
    public static DoubleDouble FromUInt64(ulong v)
    {
        double hi = v & ~0x7FFUL;
        return FastTwoSum(hi, v & 0x7FF);
    }

    /// <summary>sin and cos for |x| ≤ π/4 by their Taylor series.</summary>
    public static (DoubleDouble Sin, DoubleDouble Cos) SinCos(DoubleDouble x)
    {
        var x2 = x * x;
        DoubleDouble sin = x, cos = One, term = x, cterm = One;
        for (int n = 1; n < 40; n++)
        {
            term = term * x2 / new DoubleDouble((2.0 * n) * (2.0 * n + 1), 0);
            cterm = cterm * x2 / new DoubleDouble((2.0 * n - 1) * (2.0 * n), 0);
            if ((n & 1) != 0)
            {
                sin -= term;
                cos -= cterm;
            }
            else
            {
                sin += term;
                cos += cterm;
            }
            if (Math.Abs(cterm.Hi) < 1e-36 && Math.Abs(term.Hi) < Math.Abs(sin.Hi) * 1e-36) break;
        }
        return (sin, cos);
    }

    /// <summary>e^x - 1 for |x| ≤ 1, without cancellation for small x.</summary>
    public static DoubleDouble ExpM1(DoubleDouble x)
    {
        DoubleDouble sum = x, term = x;
        for (int n = 2; n < 60; n++)
        {
            term = term * x / new DoubleDouble(n, 0);
            sum += term;
            if (Math.Abs(term.Hi) < Math.Abs(sum.Hi) * 1e-36) break;
        }
        return sum;
    }

    /// <summary>atanh(s) = s + s³/3 + s⁵/5 + ... for |s| ≤ 0.2.</summary>
    public static DoubleDouble Atanh(DoubleDouble s)
    {
        var s2 = s * s;
        DoubleDouble sum = s, pow = s;
        for (int n = 3; n < 200; n += 2)
        {
            pow *= s2;
            var term = pow / new DoubleDouble(n, 0);
            sum += term;
            if (Math.Abs(term.Hi) < Math.Abs(sum.Hi) * 1e-36) break;
        }
        return sum;
    }

    /// <summary>ln(m) for m in [0.7, 1.5], as 2·atanh((m-1)/(m+1)).</summary>
    public static DoubleDouble Log(DoubleDouble m) => Atanh((m - One) / (m + One)) * 2;

    /// <summary>atan(t) for |t| ≤ 1: two argument halvings, then the series.</summary>
    public static DoubleDouble Atan(DoubleDouble t)
    {
        // atan(t) = 2·atan(t / (1 + sqrt(1 + t²))) brings |t| ≤ 1 down to ≤ 0.2.
        for (int k = 0; k < 2; k++) t = t / (One + Sqrt(One + t * t));
        var t2 = t * t;
        DoubleDouble sum = t, pow = t;
        for (int n = 3; n < 200; n += 2)
        {
            pow = -(pow * t2);
            var term = pow / new DoubleDouble(n, 0);
            sum += term;
            if (Math.Abs(term.Hi) < Math.Abs(sum.Hi) * 1e-36) break;
        }
        return sum * 4;
    }
}
