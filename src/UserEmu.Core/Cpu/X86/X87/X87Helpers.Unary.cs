using UserEmu.Engine;
using static UserEmu.Cpu.X86.X87.X87Status;

namespace UserEmu.Cpu.X86.X87;

public static unsafe partial class X87Helpers
{
    /// <summary>Operations on ST(0) (and ST(1)): fchs, fabs, fsqrt, frndint, fxam, fscale, fxtract, fprem, fprem1 and the transcendentals.</summary>
    public static ulong Unary(Vcpu cpu, ulong a, ulong pc, long imm)
    {
        var s = cpu.State;
        var op = X87Imm.OpOf(imm);
        X87Stack.CheckPending(cpu, pc);
        if (op == X87Op.Examine)
        {
            Examine(s);
            return 0;
        }
        bool two = op is X87Op.Scale or X87Op.Rem or X87Op.Rem1 or X87Op.Atan or X87Op.Yl2x or X87Op.Yl2xp1;
        if (X87Stack.IsEmpty(s, 0) || (two && X87Stack.IsEmpty(s, 1)))
        {
            if (!X87Stack.Underflow(s))
            {
                if (ClearsC2(op)) s->Fsw &= unchecked((ushort)~C2);
                return 0;
            }
            UnderflowResult(s, op);
            if (ClearsC2(op)) s->Fsw &= unchecked((ushort)~C2);
            return 0;
        }
        Float80 x = X87Stack.Get(s, 0);
        ushort fcw = s->Fcw;
        int flags = 0;
        switch (op)
        {
            case X87Op.Chs:
                X87Stack.Report(s, 0);
                X87Stack.Set(s, 0, x.Negate());
                return 0;
            case X87Op.Abs:
                X87Stack.Report(s, 0);
                X87Stack.Set(s, 0, x.Abs());
                return 0;
            case X87Op.Sqrt:
                SetIfCommitted(s, 0, Float80Arith.Sqrt(x, fcw, ref flags), flags);
                return 0;
            case X87Op.RoundInt:
                SetIfCommitted(s, 0, Float80Convert.RoundToIntegral(x, fcw, ref flags), flags);
                return 0;
            case X87Op.Scale:
                SetIfCommitted(s, 0, X87Misc.Scale(x, X87Stack.Get(s, 1), fcw, ref flags), flags);
                return 0;
            case X87Op.Extract:
            {
                if (!X87Stack.IsEmpty(s, 7))
                {
                    X87Stack.Report(s, IE | SF | C1);
                    if ((fcw & IE) == 0) return 0;
                    // Masked stack overflow: ST(0) and the pushed register become the indefinite.
                    X87Stack.Set(s, 0, Float80.Indefinite);
                    X87Stack.Push(s, Float80.Indefinite);
                    return 0;
                }
                var exp = X87Misc.Extract(x, ref flags, out var sig);
                if (!X87Stack.Commit(s, flags)) return 0;
                X87Stack.Set(s, 0, exp);
                X87Stack.Push(s, sig);
                return 0;
            }
            case X87Op.Rem:
            case X87Op.Rem1:
            {
                var r = X87Misc.Remainder(x, X87Stack.Get(s, 1), op == X87Op.Rem1, fcw, ref flags, out int cc);
                bool commit = X87Stack.Commit(s, flags);
                // A NaN or invalid result clears C2 (and C1) and leaves C0 and C3 alone.
                if (!commit) cc = -1;
                s->Fsw = cc < 0 ? (ushort)(s->Fsw & ~(C1 | C2)) : (ushort)((s->Fsw & ~(C0 | C1 | C2 | C3)) | cc);
                if (!commit) return 0;
                X87Stack.Set(s, 0, r);
                return 0;
            }
            default:
                X87Transcendental.Run(s, op, x, fcw);
                return 0;
        }
    }

    /// <summary>Operations whose C2 reports an incomplete result; a stack fault clears it.</summary>
    static bool ClearsC2(X87Op op) => op is X87Op.Rem or X87Op.Rem1 or X87Op.Sin or X87Op.Cos or X87Op.SinCos or X87Op.Tan;

    static void SetIfCommitted(CpuState* s, int i, Float80 r, int flags)
    {
        if (X87Stack.Commit(s, flags)) X87Stack.Set(s, i, r);
    }

    /// <summary>The masked stack-underflow response: the destination(s) get the indefinite, with the op's pushes and pops.</summary>
    static void UnderflowResult(CpuState* s, X87Op op)
    {
        switch (op)
        {
            case X87Op.Atan or X87Op.Yl2x or X87Op.Yl2xp1:
                X87Stack.Set(s, 1, Float80.Indefinite);
                X87Stack.Pop(s);
                break;
            case X87Op.Extract or X87Op.SinCos or X87Op.Tan:
                X87Stack.Set(s, 0, Float80.Indefinite);
                X87Stack.Push(s, Float80.Indefinite);
                break;
            case X87Op.Rem or X87Op.Rem1:
                X87Stack.Set(s, 0, Float80.Indefinite);
                s->Fsw &= unchecked((ushort)~C2);
                break;
            default:
                X87Stack.Set(s, 0, Float80.Indefinite);
                break;
        }
    }

    /// <summary>fxam: C3,C2,C0 = class of ST(0) (empty, unsupported, NaN, normal, infinity, zero, denormal), C1 = its sign.</summary>
    static void Examine(CpuState* s)
    {
        var x = X87Stack.Get(s, 0);
        int cc;
        if (X87Stack.IsEmpty(s, 0)) cc = C3 | C0;
        else if (x.IsUnsupported) cc = 0;
        else if (x.IsNaN) cc = C0;
        else if (x.IsInf) cc = C2 | C0;
        else if (x.IsZero) cc = C3;
        else if (x.IsDenormal) cc = C3 | C2;
        else cc = C2;
        if (x.Sign) cc |= C1;
        s->Fsw = (ushort)((s->Fsw & ~(C0 | C1 | C2 | C3)) | cc);
    }
}
