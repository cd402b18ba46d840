using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;

namespace UserEmu.Frontend.X86;

/// <summary>BMI1, BMI2 and ADX: andn, bextr, blsi, blsmsk, blsr, bzhi, pdep, pext, rorx, sarx, shlx, shrx, mulx, adcx, adox.</summary>
/// <remarks>VEX operand order as Iced reports it: operand 0 is the destination (ModRM.reg), VEX.vvvv is operand 1 or 2.</remarks>
static class InstEmitBmi
{
    public static void Install(X86EmitterTable t)
    {
        t[Mnemonic.Andn] = Andn;
        t[Mnemonic.Bextr] = Bextr;
        t[Mnemonic.Blsi] = e => LowestBit(e, Mnemonic.Blsi);
        t[Mnemonic.Blsmsk] = e => LowestBit(e, Mnemonic.Blsmsk);
        t[Mnemonic.Blsr] = e => LowestBit(e, Mnemonic.Blsr);
        t[Mnemonic.Bzhi] = Bzhi;
        t[Mnemonic.Pdep] = e => Deposit(e, IntegerHelpers.Pdep);
        t[Mnemonic.Pext] = e => Deposit(e, IntegerHelpers.Pext);
        t[Mnemonic.Rorx] = Rorx;
        t[Mnemonic.Sarx] = e => ShiftX(e, IrOp.Sar);
        t[Mnemonic.Shlx] = e => ShiftX(e, IrOp.Shl);
        t[Mnemonic.Shrx] = e => ShiftX(e, IrOp.Shr);
        t[Mnemonic.Mulx] = Mulx;
        t[Mnemonic.Adcx] = e => CarryAdd(e, LazyFlags.CF, 0);
        t[Mnemonic.Adox] = e => CarryAdd(e, LazyFlags.OF, 11);
    }

    static void Andn(X86Emitter e)
    {
        int size = e.OpSize(0);
        ushort a = e.Read(1, size);
        ushort c = e.Read(2, size);
        ushort res = e.Trunc(e.B.And(e.B.Unary(IrOp.Not, a), c), size);
        e.Write(0, res, size);
        // SF, ZF from the result; CF = OF = 0 (AF, PF undefined): exactly a logic op.
        e.SetFlags(CcKind.Logic, size, res);
    }

    /// <summary>Low <paramref name="n"/> bits of <paramref name="v"/>, or all of it when n ≥ <paramref name="bits"/>.</summary>
    static ushort KeepLow(X86Emitter e, ushort v, ushort n, int bits)
    {
        var b = e.B;
        ushort masked = b.And(v, b.AddImm(b.Shl(b.Const(1), n), -1));
        return b.Select(b.Binary(IrOp.CmpLtU, n, b.Const(bits)), masked, v);
    }

    static void Bextr(X86Emitter e)
    {
        var b = e.B;
        int size = e.OpSize(0);
        int bits = size * 8;
        ushort src = e.Read(1, size);
        ushort ctl = e.Read(2, size);
        ushort start = b.AndImm(ctl, 0xff);
        ushort len = b.AndImm(b.ShrImm(ctl, 8), 0xff);
        ushort shifted = b.Select(b.Binary(IrOp.CmpLtU, start, b.Const(bits)), b.Shr(src, start), b.Const(0));
        ushort res = KeepLow(e, shifted, len, bits);
        e.Write(0, res, size);
        // ZF from the result, CF = OF = 0 (SF, AF, PF undefined).
        e.SetFlags(CcKind.Logic, size, res);
    }

    static void LowestBit(X86Emitter e, Mnemonic m)
    {
        var b = e.B;
        int size = e.OpSize(0);
        ushort src = e.Read(1, size);
        ushort minus1 = b.AddImm(src, -1);
        ushort res = e.Trunc(m switch
        {
            Mnemonic.Blsi => b.And(b.Unary(IrOp.Neg, src), src),
            Mnemonic.Blsmsk => b.Xor(minus1, src),
            _ => b.And(minus1, src),
        }, size);
        e.Write(0, res, size);
        ushort srcZero = e.IsZero(src);
        // blsi: CF = source non-zero; blsmsk/blsr: CF = source zero. blsmsk clears ZF. OF = 0; AF, PF undefined.
        ushort cf = m == Mnemonic.Blsi ? b.Xor(srcZero, b.Const(1)) : srcZero;
        ushort? zf = m == Mnemonic.Blsmsk ? null : e.IsZero(res);
        e.SetEflags(e.BuildFlags(cf: cf, zf: zf, sf: e.MsbOf(res, size)));
    }

    static void Bzhi(X86Emitter e)
    {
        var b = e.B;
        int size = e.OpSize(0);
        int bits = size * 8;
        ushort src = e.Read(1, size);
        ushort n = b.AndImm(e.Read(2, size), 0xff);
        ushort res = KeepLow(e, src, n, bits);
        e.Write(0, res, size);
        // CF = index beyond the operand; ZF, SF from the result; OF = 0.
        ushort cf = b.Binary(IrOp.CmpLeU, b.Const(bits), n);
        e.SetEflags(e.BuildFlags(cf: cf, zf: e.IsZero(res), sf: e.MsbOf(res, size)));
    }

    static void Deposit(X86Emitter e, HelperFn fn)
    {
        int size = e.OpSize(0);
        ushort src = e.Read(1, size);
        ushort mask = e.Read(2, size);
        // Both operands are zero-extended, so the 64-bit operation gives the 32-bit result too.
        e.Write(0, e.HelperImm(fn, 0, src, mask), size);
    }

    static void Rorx(X86Emitter e)
    {
        int size = e.OpSize(0);
        ushort src = e.Read(1, size);
        int n = (int)e.ImmValue(2) & (size * 8 - 1);
        e.Write(0, e.B.Binary(IrOp.Ror, src, e.B.Const(n), size), size);
    }

    static void ShiftX(X86Emitter e, IrOp op)
    {
        var b = e.B;
        int size = e.OpSize(0);
        ushort src = e.Read(1, size);
        ushort n = b.AndImm(e.Read(2, size), size * 8 - 1);
        if (op == IrOp.Sar) src = b.SExt(src, size);
        e.Write(0, e.Trunc(b.Binary(op, src, n), size), size);
    }

    static void Mulx(X86Emitter e)
    {
        var b = e.B;
        int size = e.OpSize(0);
        ushort y = e.Read(2, size);
        ushort x = e.GetGpr(CpuState.RDX, size);
        ushort lo, hi;
        if (size == 8)
        {
            lo = b.Binary(IrOp.Mul, x, y);
            hi = b.Binary(IrOp.MulHiU, x, y);
        }
        else
        {
            ushort p = b.Binary(IrOp.Mul, x, y);
            lo = e.Trunc(p, 4);
            hi = b.ShrImm(p, 32);
        }
        // Low half (vvvv) first: when both destinations are the same register it receives the high half.
        e.Write(1, lo, size);
        e.Write(0, hi, size);
    }

    /// <summary>adcx/adox: unsigned add with carry in and out through one flag (CF or OF); every other flag is kept.</summary>
    static void CarryAdd(X86Emitter e, ulong flag, int shift)
    {
        var b = e.B;
        int size = e.OpSize(0);
        ushort x = e.Read(0, size);
        ushort y = e.Read(1, size);
        ushort flags = e.ComputeFlags();
        ushort cin = b.AndImm(b.ShrImm(flags, shift), 1);
        ushort res, cout;
        if (size == 8)
        {
            ushort s1 = b.Add(x, y);
            ushort s2 = b.Add(s1, cin);
            cout = b.Or(b.Binary(IrOp.CmpLtU, s1, x), b.Binary(IrOp.CmpLtU, s2, s1));
            res = s2;
        }
        else
        {
            ushort full = b.Add(b.Add(x, y), cin);
            res = e.Trunc(full, size);
            cout = b.ShrImm(full, size * 8);
        }
        e.Write(0, res, size);
        e.SetEflags(e.MergeFlags(flags, flag, b.ShlImm(cout, shift)));
    }
}
