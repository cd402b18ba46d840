using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;

namespace UserEmu.Frontend.X86;

/// <summary>Two-operand arithmetic and logic: add, adc, sub, sbb, cmp, and, or, xor, test, inc, dec, neg, not.</summary>
static class InstEmitAlu
{
    public static void Install(X86EmitterTable t)
    {
        t[Mnemonic.Add] = e => AddSub(e, CcKind.Add, write: true);
        t[Mnemonic.Sub] = e => AddSub(e, CcKind.Sub, write: true);
        t[Mnemonic.Cmp] = e => AddSub(e, CcKind.Sub, write: false);
        t[Mnemonic.Adc] = e => AddSub(e, CcKind.Adc, write: true);
        t[Mnemonic.Sbb] = e => AddSub(e, CcKind.Sbb, write: true);
        t[Mnemonic.And] = e => Logic(e, IrOp.And, write: true);
        t[Mnemonic.Or] = e => Logic(e, IrOp.Or, write: true);
        t[Mnemonic.Xor] = e => Logic(e, IrOp.Xor, write: true);
        t[Mnemonic.Test] = e => Logic(e, IrOp.And, write: false);
        t[Mnemonic.Inc] = e => IncDec(e, CcKind.Inc);
        t[Mnemonic.Dec] = e => IncDec(e, CcKind.Dec);
        t[Mnemonic.Neg] = Neg;
        t[Mnemonic.Not] = Not;
    }

    static void AddSub(X86Emitter e, CcKind kind, bool write)
    {
        var b = e.B;
        int size = e.OpSize(0);
        ushort x = e.Read(0, size);
        ushort y = e.Read(1, size);
        ushort res, carry = 0;
        switch (kind)
        {
            case CcKind.Add: res = b.Add(x, y); break;
            case CcKind.Sub: res = b.Sub(x, y); break;
            case CcKind.Adc: carry = e.GetCf(); res = b.Add(b.Add(x, y), carry); break;
            default: carry = e.GetCf(); res = b.Sub(b.Sub(x, y), carry); break;
        }
        res = e.Trunc(res, size);
        if (write) e.Write(0, res, size);
        e.SetFlags(kind, size, res, y, carry, x, hasA: true);
    }

    static void Logic(X86Emitter e, IrOp op, bool write)
    {
        int size = e.OpSize(0);
        // xor r, r (the zeroing idiom) needs no operand reads.
        if (op == IrOp.Xor && e.IsReg(0) && e.IsReg(1) && e.Insn.Op0Register == e.Insn.Op1Register)
        {
            ushort zero = e.B.Const(0);
            e.Write(0, zero, size);
            e.SetFlags(CcKind.Logic, size, zero);
            return;
        }
        ushort x = e.Read(0, size);
        ushort y = e.Read(1, size);
        ushort res = e.Trunc(e.B.Binary(op, x, y), size);
        if (write) e.Write(0, res, size);
        e.SetFlags(CcKind.Logic, size, res);
    }

    static void IncDec(X86Emitter e, CcKind kind)
    {
        int size = e.OpSize(0);
        ushort x = e.Read(0, size);
        ushort cf = e.GetCf();
        ushort res = e.Trunc(e.B.AddImm(x, kind == CcKind.Inc ? 1 : -1), size);
        e.Write(0, res, size);
        e.SetFlags(kind, size, res, cf);
    }

    static void Neg(X86Emitter e)
    {
        int size = e.OpSize(0);
        ushort x = e.Read(0, size);
        ushort zero = e.B.Const(0);
        ushort res = e.Trunc(e.B.Sub(zero, x), size);
        e.Write(0, res, size);
        e.SetFlags(CcKind.Sub, size, res, x, 0, zero, hasA: true);
    }

    static void Not(X86Emitter e)
    {
        int size = e.OpSize(0);
        ushort x = e.Read(0, size);
        e.Write(0, e.Trunc(e.B.Unary(IrOp.Not, x), size), size);
    }
}
