using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;

namespace UserEmu.Frontend.X86;

/// <summary>Shifts and rotates: shl/sal, shr, sar, rol, ror, rcl, rcr, shld, shrd.</summary>
/// <remarks>
/// The count is masked to 5 bits (6 for 64-bit operands). A masked count of zero changes no flag, which for a
/// count in CL is only known at run time, so those forms select between the new and the old flag state.
/// </remarks>
static class InstEmitShift
{
    enum Kind { Shl, Shr, Sar }

    public static void Install(X86EmitterTable t)
    {
        t.Add(e => Shift(e, Kind.Shl), Mnemonic.Shl, Mnemonic.Sal);
        t[Mnemonic.Shr] = e => Shift(e, Kind.Shr);
        t[Mnemonic.Sar] = e => Shift(e, Kind.Sar);
        t[Mnemonic.Rol] = e => Rotate(e, left: true);
        t[Mnemonic.Ror] = e => Rotate(e, left: false);
        t[Mnemonic.Rcl] = e => RotateCarry(e, left: true);
        t[Mnemonic.Rcr] = e => RotateCarry(e, left: false);
        t[Mnemonic.Shld] = e => DoubleShift(e, left: true);
        t[Mnemonic.Shrd] = e => DoubleShift(e, left: false);
    }

    static int CountMask(int size) => size == 8 ? 63 : 31;

    /// <summary>The masked count in operand <paramref name="n"/>; <paramref name="constant"/> is it when encoded as an immediate, else -1.</summary>
    static ushort Count(X86Emitter e, int n, int size, out int constant)
    {
        if (e.IsImm(n))
        {
            constant = (int)e.ImmValue(n) & CountMask(size);
            return e.B.Const(constant);
        }
        constant = -1;
        return e.B.AndImm(e.GetGpr(CpuState.RCX, 1), CountMask(size));
    }

    static void Shift(X86Emitter e, Kind k)
    {
        var b = e.B;
        int size = e.OpSize(0);
        ushort cnt = Count(e, 1, size, out int c);
        ushort x = e.Read(0, size);
        if (c == 0)
        {
            // Nothing moves and no flag changes, but the destination is still written (a 32-bit register zero-extends).
            e.Write(0, x, size);
            return;
        }
        // CcSrc is the operand shifted by count-1: its edge bit is the last bit shifted out (CF).
        ushort cm1 = b.AddImm(cnt, -1);
        ushort res, src;
        switch (k)
        {
            case Kind.Shl:
                res = e.Trunc(b.Shl(x, cnt), size);
                src = b.Shl(x, cm1);
                break;
            case Kind.Shr:
                res = b.Shr(x, cnt);
                src = b.Shr(x, cm1);
                break;
            default:
                ushort sx = b.SExt(x, size);
                res = e.Trunc(b.Sar(sx, cnt), size);
                src = b.Sar(sx, cm1);
                break;
        }
        e.Write(0, res, size);
        var kind = k == Kind.Shl ? CcKind.Shl : CcKind.Sar;
        if (c > 0) e.SetFlags(kind, size, res, src);
        else e.SetFlagsUnlessZero(cnt, kind, size, res, src);
    }

    static void Rotate(X86Emitter e, bool left)
    {
        var b = e.B;
        int size = e.OpSize(0);
        ushort cnt = Count(e, 1, size, out int c);
        ushort x = e.Read(0, size);
        if (c == 0)
        {
            e.Write(0, x, size);
            return;
        }
        ushort res = b.Binary(left ? IrOp.Rol : IrOp.Ror, x, cnt, size);
        // Rotates define CF and OF only; SF, ZF, AF and PF keep their values, so start from the current flags.
        ushort old = e.ComputeFlags();
        ushort cf, of;
        if (left)
        {
            cf = b.AndImm(res, 1);
            of = b.Xor(e.MsbOf(res, size), cf);
        }
        else
        {
            cf = e.MsbOf(res, size);
            of = b.Xor(cf, b.AndImm(b.ShrImm(res, size * 8 - 2), 1));
        }
        ushort flags = e.MergeFlags(old, LazyFlags.CF | LazyFlags.OF, e.BuildFlags(cf: cf, of: of));
        e.Write(0, res, size);
        if (c < 0) flags = b.Select(b.Binary(IrOp.CmpNe, cnt, b.Const(0)), flags, old);
        e.SetEflags(flags);
    }

    static void RotateCarry(X86Emitter e, bool left)
    {
        int size = e.OpSize(0);
        ushort cnt = Count(e, 1, size, out int c);
        ushort x = e.Read(0, size);
        if (c == 0)
        {
            e.Write(0, x, size);
            return;
        }
        // Rare enough (and awkward enough with the 9/17-bit rotate of 8/16-bit operands) for helpers; both are pure.
        long imm = IntegerHelpers.RotateCarryImm(size, left);
        ushort res = e.HelperImm(IntegerHelpers.RotateThroughCarry, imm, x, cnt);
        ushort flags = e.HelperImm(IntegerHelpers.RotateThroughCarryFlags, imm, x, cnt);
        e.Write(0, res, size);
        e.SetEflags(flags);
    }

    static void DoubleShift(X86Emitter e, bool left)
    {
        var b = e.B;
        int size = e.OpSize(0);
        ushort cnt = Count(e, 2, size, out int c);
        ushort x = e.Read(0, size);
        ushort y = e.Read(1, size);
        if (c == 0)
        {
            e.Write(0, x, size);
            return;
        }
        ushort cm1 = b.AddImm(cnt, -1);
        ushort res, src;
        if (size == 2)
        {
            // 16-bit operands shift the 48-bit A:B:A (dest:src:dest), which gives the defined results for counts up
            // to 16 and, for the undefined counts 17-31, what the host computes: result, CF, SF, ZF and PF.
            ushort wide = b.Or(b.Or(b.Shl(x, b.Const(32)), b.Shl(y, b.Const(16))), x);
            if (left)
            {
                res = e.Trunc(b.Shr(b.Shl(wide, cnt), b.Const(32)), size);
                src = b.Shr(b.Shl(wide, cm1), b.Const(32));
            }
            else
            {
                res = e.Trunc(b.Shr(wide, cnt), size);
                src = b.Shr(wide, cm1);
            }
        }
        else if (left)
        {
            res = e.Trunc(b.Or(b.Shl(x, cnt), b.Shr(y, b.Sub(b.Const(size * 8), cnt))), size);
            src = b.Shl(x, cm1);
        }
        else
        {
            res = e.Trunc(b.Or(b.Shr(x, cnt), b.Shl(y, b.Sub(b.Const(size * 8), cnt))), size);
            src = b.Shr(x, cm1);
        }
        var kind = left ? CcKind.Shl : CcKind.Sar;
        if (c > 0)
        {
            e.Write(0, res, size);
            e.SetFlags(kind, size, res, src);
            return;
        }
        // With a zero count, the IR shift by 64 (taken mod 64) would mix y in: keep x.
        res = b.Select(b.Binary(IrOp.CmpNe, cnt, b.Const(0)), res, x);
        e.Write(0, res, size);
        e.SetFlagsUnlessZero(cnt, kind, size, res, src);
    }
}
