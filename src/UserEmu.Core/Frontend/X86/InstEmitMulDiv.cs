using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;

namespace UserEmu.Frontend.X86;

/// <summary>Multiplication and division: mul, imul (one-, two- and three-operand forms), div, idiv.</summary>
/// <remarks>
/// Products are computed in IR (CcOp Mul: CcSrc non-zero means CF=OF=1). Division needs 128-bit arithmetic and
/// raises #DE, so it runs in <see cref="IntegerHelpers.Divide"/>, which writes RAX/RDX only once nothing can fail.
/// </remarks>
static class InstEmitMulDiv
{
    public static void Install(X86EmitterTable t)
    {
        t[Mnemonic.Mul] = e => MulAcc(e, signed: false);
        t[Mnemonic.Imul] = Imul;
        t[Mnemonic.Div] = e => Divide(e, signed: false);
        t[Mnemonic.Idiv] = e => Divide(e, signed: true);
    }

    static void Imul(X86Emitter e)
    {
        if (e.Insn.OpCount == 1)
        {
            MulAcc(e, signed: true);
            return;
        }
        int size = e.OpSize(0);
        ushort x = e.Insn.OpCount == 3 ? e.Read(1, size) : e.Read(0, size);
        ushort y = e.Insn.OpCount == 3 ? e.Read(2, size) : e.Read(1, size);
        var (lo, _, overflow) = SignedProduct(e, x, y, size);
        e.Write(0, lo, size);
        e.SetFlags(CcKind.Mul, size, lo, overflow);
    }

    /// <summary>Low half, high half and "does not fit in the low half" (0/1) of a signed product of two <paramref name="size"/>-byte values.</summary>
    static (ushort Lo, ushort Hi, ushort Overflow) SignedProduct(X86Emitter e, ushort x, ushort y, int size)
    {
        var b = e.B;
        if (size == 8)
        {
            ushort lo64 = b.Binary(IrOp.Mul, x, y);
            ushort hi64 = b.Binary(IrOp.MulHiS, x, y);
            return (lo64, hi64, b.Binary(IrOp.CmpNe, hi64, b.SarImm(lo64, 63)));
        }
        // Operands of up to 32 bits: the full signed product fits in 64 bits.
        ushort p = b.Binary(IrOp.Mul, b.SExt(x, size), b.SExt(y, size));
        ushort lo = e.Trunc(p, size);
        ushort hi = e.Trunc(b.ShrImm(p, size * 8), size);
        return (lo, hi, b.Binary(IrOp.CmpNe, b.SExt(lo, size), p));
    }

    /// <summary>One-operand mul/imul: AL/AX/EAX/RAX times the operand into AX, DX:AX, EDX:EAX or RDX:RAX.</summary>
    static void MulAcc(X86Emitter e, bool signed)
    {
        var b = e.B;
        int size = e.OpSize(0);
        ushort y = e.Read(0, size);
        ushort x = e.GetGpr(CpuState.RAX, size);
        ushort lo, hi, cc;
        if (signed)
        {
            (lo, hi, cc) = SignedProduct(e, x, y, size);
        }
        else if (size == 8)
        {
            lo = b.Binary(IrOp.Mul, x, y);
            hi = b.Binary(IrOp.MulHiU, x, y);
            cc = hi;
        }
        else
        {
            ushort p = b.Binary(IrOp.Mul, x, y);
            lo = e.Trunc(p, size);
            hi = b.ShrImm(p, size * 8);
            cc = hi;
        }
        if (size == 1)
        {
            // The 8-bit form puts the whole 16-bit product in AX.
            e.SetGpr(CpuState.RAX, 2, b.Or(lo, b.ShlImm(hi, 8)));
        }
        else
        {
            e.SetGpr(CpuState.RAX, size, lo);
            e.SetGpr(CpuState.RDX, size, hi);
        }
        e.SetFlags(CcKind.Mul, size, lo, cc);
    }

    static void Divide(X86Emitter e, bool signed)
    {
        int size = e.OpSize(0);
        ushort divisor = e.Read(0, size);
        // All six arithmetic flags are undefined after div; they are left as they were.
        e.HelperImm(IntegerHelpers.Divide, IntegerHelpers.DivideImm(size, signed), divisor);
    }
}
