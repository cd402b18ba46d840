using System.Numerics;
using System.Runtime.CompilerServices;

namespace UserEmu.Cpu.X86;

/// <summary>Evaluates RFLAGS arithmetic bits and conditions from the recorded last operation (see <see cref="CcOp"/>).</summary>
public static unsafe class LazyFlags
{
    public const ulong CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, DF = 0x400, OF = 0x800;
    public const ulong ArithMask = CF | PF | AF | ZF | SF | OF;

    public static CcOp Op(CcKind kind, int size) =>
        kind == CcKind.Eflags ? CcOp.Eflags : (CcOp)((uint)kind * 4 + (uint)BitOperations.Log2((uint)size));

    /// <summary>
    /// Whether the flags of <paramref name="op"/> are computed without the state field at <paramref name="offset"/>
    /// (CcDst, CcSrc or CcSrc2): once CcOp holds such an op, an earlier store to that field is dead.
    /// </summary>
    public static bool Ignores(CcOp op, int offset)
    {
        var kind = (CcKind)((uint)op >> 2);
        if (offset == CpuState.OffCcSrc2) return kind is not (CcKind.Adc or CcKind.Sbb);
        if (offset == CpuState.OffCcSrc) return kind == CcKind.Logic;
        if (offset == CpuState.OffCcDst) return op == CcOp.Eflags;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong Mask(int bits) => bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;

    static ulong Parity(ulong v) => (BitOperations.PopCount(v & 0xff) & 1) == 0 ? PF : 0;

    static ulong Szp(ulong res, int bits)
    {
        res &= Mask(bits);
        ulong f = Parity(res);
        if (res == 0) f |= ZF;
        if ((res >> (bits - 1) & 1) != 0) f |= SF;
        return f;
    }

    /// <summary>The six arithmetic flags for the recorded operation.</summary>
    public static ulong Compute(CcOp op, ulong dst, ulong src, ulong src2)
    {
        if (op == CcOp.Eflags) return src & ArithMask;
        var kind = (CcKind)((uint)op >> 2);
        int bits = 8 << (int)((uint)op & 3);
        ulong m = Mask(bits);
        ulong sign = 1UL << (bits - 1);
        dst &= m;
        ulong f = Szp(dst, bits);
        switch (kind)
        {
            case CcKind.Add:
            {
                src &= m;
                ulong a = (dst - src) & m;
                if (dst < src) f |= CF;
                f |= (a ^ src ^ dst) & AF;
                if (((a ^ dst) & (src ^ dst) & sign) != 0) f |= OF;
                return f;
            }
            case CcKind.Adc:
            {
                src &= m;
                ulong cin = src2 & 1;
                ulong a = (dst - src - cin) & m;
                if (cin != 0 ? dst <= a : dst < a) f |= CF;
                f |= (a ^ src ^ dst) & AF;
                if (((a ^ dst) & (src ^ dst) & sign) != 0) f |= OF;
                return f;
            }
            case CcKind.Sub:
            {
                src &= m;
                ulong a = (dst + src) & m;
                if (a < src) f |= CF;
                f |= (a ^ src ^ dst) & AF;
                if (((a ^ src) & (a ^ dst) & sign) != 0) f |= OF;
                return f;
            }
            case CcKind.Sbb:
            {
                src &= m;
                ulong bin = src2 & 1;
                ulong a = (dst + src + bin) & m;
                if (bin != 0 ? a <= src : a < src) f |= CF;
                f |= (a ^ src ^ dst) & AF;
                if (((a ^ src) & (a ^ dst) & sign) != 0) f |= OF;
                return f;
            }
            case CcKind.Logic:
                return f;
            case CcKind.Inc:
            {
                ulong a = (dst - 1) & m;
                f |= src & CF;
                f |= (a ^ 1 ^ dst) & AF;
                if (dst == sign) f |= OF;
                return f;
            }
            case CcKind.Dec:
            {
                ulong a = (dst + 1) & m;
                f |= src & CF;
                f |= (a ^ 1 ^ dst) & AF;
                if (dst == sign - 1) f |= OF;
                return f;
            }
            case CcKind.Shl:
                if ((src >> (bits - 1) & 1) != 0) f |= CF;
                if (((src ^ dst) & sign) != 0) f |= OF;
                return f;
            case CcKind.Sar:
                f |= src & CF;
                if (((src ^ dst) & sign) != 0) f |= OF;
                return f;
            case CcKind.Mul:
                if (src != 0) f |= CF | OF;
                return f;
            default:
                throw new InvalidOperationException($"bad CcOp {op}");
        }
    }

    public static ulong Compute(CpuState* s) => Compute((CcOp)s->CcOp, s->CcDst, s->CcSrc, s->CcSrc2);

    /// <summary>CF alone (0 or 1), as <see cref="Compute"/> has it: what inc/dec keep and jb/jae test, without the parity and the four other flags.</summary>
    public static ulong Carry(CcOp op, ulong dst, ulong src, ulong src2)
    {
        if (op == CcOp.Eflags) return src & CF;
        var kind = (CcKind)((uint)op >> 2);
        int bits = 8 << (int)((uint)op & 3);
        ulong m = Mask(bits);
        dst &= m;
        src &= kind is CcKind.Add or CcKind.Adc or CcKind.Sub or CcKind.Sbb ? m : ulong.MaxValue;
        ulong cin = src2 & 1;
        bool cf = kind switch
        {
            CcKind.Add => dst < src,
            CcKind.Adc => cin != 0 ? dst <= ((dst - src - cin) & m) : dst < ((dst - src - cin) & m),
            CcKind.Sub => ((dst + src) & m) < src,
            CcKind.Sbb => cin != 0 ? ((dst + src + cin) & m) <= src : ((dst + src + cin) & m) < src,
            CcKind.Logic => false,
            CcKind.Inc or CcKind.Dec or CcKind.Sar => (src & CF) != 0,
            CcKind.Shl => (src >> (bits - 1) & 1) != 0,
            CcKind.Mul => src != 0,
            _ => throw new InvalidOperationException($"bad CcOp {op}"),
        };
        return cf ? 1UL : 0;
    }

    /// <summary>Whether <paramref name="cc"/> holds for the recorded operation; CF, ZF and SF conditions without computing every flag.</summary>
    public static bool Test(CcOp op, ulong dst, ulong src, ulong src2, Cond cc)
    {
        bool r;
        int bits = 8 << (int)((uint)op & 3);
        switch ((Cond)((int)cc & ~1))
        {
            case Cond.B: r = Carry(op, dst, src, src2) != 0; break;
            case Cond.E when op != CcOp.Eflags: r = (dst & Mask(bits)) == 0; break;
            case Cond.S when op != CcOp.Eflags: r = (dst >> (bits - 1) & 1) != 0; break;
            default: return Test(Compute(op, dst, src, src2), cc);
        }
        return ((int)cc & 1) != 0 ? !r : r;
    }

    /// <summary>Whether condition <paramref name="cc"/> holds for the given flags.</summary>
    public static bool Test(ulong f, Cond cc)
    {
        bool r = ((int)cc >> 1) switch
        {
            0 => (f & OF) != 0,
            1 => (f & CF) != 0,
            2 => (f & ZF) != 0,
            3 => (f & (CF | ZF)) != 0,
            4 => (f & SF) != 0,
            5 => (f & PF) != 0,
            6 => ((f & SF) != 0) != ((f & OF) != 0),
            _ => (f & ZF) != 0 || ((f & SF) != 0) != ((f & OF) != 0),
        };
        return ((int)cc & 1) != 0 ? !r : r;
    }

    public static bool Test(CpuState* s, Cond cc) => Test((CcOp)s->CcOp, s->CcDst, s->CcSrc, s->CcSrc2, cc);

    /// <summary>Full RFLAGS as pushf would store it.</summary>
    public static ulong Rflags(CpuState* s) =>
        Compute(s) | (s->DfStep < 0 ? DF : 0) | (s->RflagsOther & ~(ArithMask | DF)) | 2;

    /// <summary>Loads RFLAGS (popf, sigreturn): arithmetic flags become CcOp.Eflags, DF and the rest are kept.</summary>
    public static void SetRflags(CpuState* s, ulong value, ulong writableMask)
    {
        ulong cur = Rflags(s);
        ulong v = (cur & ~writableMask) | (value & writableMask);
        s->CcOp = (uint)CcOp.Eflags;
        s->CcSrc = v & ArithMask;
        s->DfStep = (v & DF) != 0 ? -1 : 1;
        s->RflagsOther = (v & ~(ArithMask | DF)) | 2;
    }
}
