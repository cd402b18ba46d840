using UserEmu.Engine;
using static UserEmu.Cpu.X86.X87.X87Status;

namespace UserEmu.Cpu.X86.X87;

public static unsafe partial class X87Helpers
{
    /// <summary>fld1, fldl2t, fldl2e, fldpi, fldlg2, fldln2, fldz by <see cref="X87Imm.Index"/>: (exponent, 128-bit significand).</summary>
    static readonly (int Exp, ulong Hi, ulong Lo)[] Constants =
    [
        (0, 0x8000_0000_0000_0000, 0),
        (1, 0xD49A_784B_CD1B_8AFE, 0x492B_F6FF_4DAF_DB4C),
        (0, 0xB8AA_3B29_5C17_F0BB, 0xBE87_FED0_691D_3E88),
        (1, 0xC90F_DAA2_2168_C234, 0xC4C6_628B_80DC_1CD1),
        (-2, 0x9A20_9A84_FBCF_F798, 0x8F89_59AC_0B7C_9178),
        (-1, 0xB172_17F7_D1CF_79AB, 0xC9E3_B398_03F2_F6AF),
    ];

    /// <summary>The constant pushed by fld1..fldz, rounded in the current rounding mode at full precision (no flags).</summary>
    static Float80 Constant(int index, ushort fcw)
    {
        if (index == 6) return Float80.Zero;
        var (e, hi, lo) = Constants[index];
        int ignored = 0;
        return X87Round.Pack80(X87Round.Round(false, e, new UInt128(hi, lo), RoundFormat.Extended(64), (ushort)(fcw | 0x3F), false, ref ignored));
    }

    /// <summary>fld (m32/m64/m80/ST(i)), fild (m16/m32/m64), fbld and the constants.</summary>
    public static ulong Load(Vcpu cpu, ulong ea, ulong pc, long imm)
    {
        var s = cpu.State;
        X87Stack.CheckPending(cpu, pc);
        var kind = X87Imm.KindOf(imm);
        int flags = 0;
        Float80 v;
        if (X87Imm.OpOf(imm) == X87Op.LoadConst) v = Constant(X87Imm.IndexOf(imm), s->Fcw);
        else if (kind == X87Operand.St)
        {
            int i = X87Imm.IndexOf(imm);
            if (X87Stack.IsEmpty(s, i))
            {
                // Underflow wins over a stack overflow the push would also cause.
                if (X87Stack.Underflow(s)) X87Stack.Push(s, Float80.Indefinite);
                return 0;
            }
            else v = X87Stack.Get(s, i);
        }
        else v = ReadOperand(cpu, kind, ea, ref flags);
        X87Stack.TryPush(s, v, flags);
        return 0;
    }

    /// <summary>fst/fstp (m32/m64/m80/ST(i)), fist/fistp (m16/m32/m64), fisttp and fbstp.</summary>
    public static ulong Store(Vcpu cpu, ulong ea, ulong pc, long imm)
    {
        var s = cpu.State;
        X87Stack.CheckPending(cpu, pc);
        var kind = X87Imm.KindOf(imm);
        int pops = X87Imm.PopsOf(imm);
        int flags = 0;
        Float80 v;
        if (X87Stack.IsEmpty(s, 0))
        {
            if ((s->Fcw & IE) == 0)
            {
                X87Stack.Underflow(s);
                return 0;
            }
            flags = IE | SF;
            v = Float80.Indefinite;
        }
        else v = X87Stack.Get(s, 0);
        ushort fcw = s->Fcw;
        var mem = cpu.Memory;
        switch (kind)
        {
            case X87Operand.St:
                X87Stack.Set(s, X87Imm.IndexOf(imm), v);
                X87Stack.Report(s, flags);
                PopN(s, pops);
                return 0;
            case X87Operand.M80Fp:
                mem.Check(ea, 10, true);
                mem.Write64(ea, v.Mant);
                mem.Write16(ea + 8, v.SignExp);
                break;
            case X87Operand.M32Fp:
            {
                uint bits = Float80Convert.ToSingle(v, fcw, ref flags);
                if (StoreBlocked(fcw, flags)) break;
                mem.Write32(ea, bits);
                break;
            }
            case X87Operand.M64Fp:
            {
                ulong bits = Float80Convert.ToDouble(v, fcw, ref flags);
                if (StoreBlocked(fcw, flags)) break;
                mem.Write64(ea, bits);
                break;
            }
            case X87Operand.Bcd:
            {
                Span<byte> bcd = stackalloc byte[10];
                Float80Convert.ToBcd(v, fcw, bcd, ref flags);
                if (StoreBlocked(fcw, flags)) break;
                bcd.CopyTo(mem.WriteSpan(ea, 10));
                break;
            }
            default:
            {
                int size = X87Imm.Size(kind);
                int rc = X87Imm.OpOf(imm) == X87Op.StoreTrunc ? 3 : X87Round.Mode(fcw);
                long n = Float80Convert.ToInt(v, size * 8, rc, ref flags);
                if (StoreBlocked(fcw, flags)) break;
                mem.Write(ea, size, (ulong)n);
                break;
            }
        }
        bool blocked = StoreBlocked(fcw, flags);
        // Nothing stored, nothing rounded: an unmasked exception reports no PE and no rounding direction.
        if (blocked) flags &= ~(PE | C1);
        X87Stack.Report(s, flags);
        if (!blocked) PopN(s, pops);
        return 0;
    }

    /// <summary>An unmasked invalid, overflow or underflow exception leaves a memory destination unwritten.</summary>
    static bool StoreBlocked(ushort fcw, int flags) => (flags & ~fcw & (IE | OE | UE)) != 0;

    /// <summary>fxch, ffree, fincstp, fdecstp, fnop/fwait, fninit, fnclex and fcmovcc (a = 1 when the condition holds).</summary>
    public static ulong Stack(Vcpu cpu, ulong a, ulong pc, long imm)
    {
        var s = cpu.State;
        var op = X87Imm.OpOf(imm);
        if (X87Imm.WaitsOf(imm)) X87Stack.CheckPending(cpu, pc);
        int i = X87Imm.IndexOf(imm);
        switch (op)
        {
            case X87Op.Exchange:
            {
                bool e0 = X87Stack.IsEmpty(s, 0), ei = X87Stack.IsEmpty(s, i);
                if (e0 || ei)
                {
                    if (!X87Stack.Underflow(s)) return 0;
                    if (e0) X87Stack.Set(s, 0, Float80.Indefinite);
                    if (ei) X87Stack.Set(s, i, Float80.Indefinite);
                }
                else X87Stack.Report(s, 0);
                Float80 t = X87Stack.Get(s, 0);
                X87Stack.Set(s, 0, X87Stack.Get(s, i));
                X87Stack.Set(s, i, t);
                return 0;
            }
            case X87Op.CMov:
                if (X87Stack.IsEmpty(s, 0) || X87Stack.IsEmpty(s, i))
                {
                    // Whether or not the condition holds, a masked underflow leaves the indefinite in ST(0).
                    if (X87Stack.Underflow(s)) X87Stack.Set(s, 0, Float80.Indefinite);
                    return 0;
                }
                if (a != 0) X87Stack.Set(s, 0, X87Stack.Get(s, i));
                return 0;
            case X87Op.Free:
                s->FtwAbridged &= (ushort)~(1 << X87Stack.Phys(s, i));
                s->Fsw &= unchecked((ushort)~C1);
                PopN(s, X87Imm.PopsOf(imm));
                return 0;
            case X87Op.IncStp:
                s->FpTop = (s->FpTop + 1) & 7;
                s->Fsw &= unchecked((ushort)~C1);
                return 0;
            case X87Op.DecStp:
                s->FpTop = (s->FpTop - 1) & 7;
                s->Fsw &= unchecked((ushort)~C1);
                return 0;
            case X87Op.Init:
                X87Stack.Init(s);
                return 0;
            case X87Op.ClearEx:
                s->Fsw &= unchecked((ushort)~(Exceptions | SF | ES | B));
                return 0;
            default:
                return 0;
        }
    }
}
