using UserEmu.Cpu.X86;
using UserEmu.IR;

namespace UserEmu.Frontend.X86;

public sealed partial class X86Emitter
{
    /// <summary>
    /// Records flags like <see cref="SetFlags"/> but only when <paramref name="count"/> is non-zero at run time:
    /// a shift by a zero count (after masking) leaves every flag as it was.
    /// </summary>
    public void SetFlagsUnlessZero(ushort count, CcKind kind, int size, ushort res, ushort src)
    {
        ushort nz = B.Binary(IrOp.CmpNe, count, B.Const(0));
        ushort op = B.Select(nz, B.Const((long)LazyFlags.Op(kind, size)), B.LoadState(CpuState.OffCcOp, 4));
        ushort dst = B.Select(nz, res, B.LoadState(CpuState.OffCcDst, 8));
        ushort s = B.Select(nz, src, B.LoadState(CpuState.OffCcSrc, 8));
        B.StoreState(CpuState.OffCcOp, 4, op);
        B.StoreState(CpuState.OffCcDst, 8, dst);
        B.StoreState(CpuState.OffCcSrc, 8, s);
        _cc.Known = false;
    }

    /// <summary>Sign bit of a <paramref name="size"/>-byte value as 0 or 1.</summary>
    public ushort MsbOf(ushort v, int size) => SignBit(v, size);

    /// <summary>Builds flags from 0/1 temps (a missing one is clear); PF and AF come out clear.</summary>
    public ushort BuildFlags(ushort? cf = null, ushort? zf = null, ushort? sf = null, ushort? of = null)
    {
        ushort f = cf ?? B.Const(0);
        if (zf is { } z) f = B.Or(f, B.ShlImm(z, 6));
        if (sf is { } s) f = B.Or(f, B.ShlImm(s, 7));
        if (of is { } o) f = B.Or(f, B.ShlImm(o, 11));
        return f;
    }

    /// <summary>1 if <paramref name="v"/> == 0, else 0.</summary>
    public ushort IsZero(ushort v) => B.Binary(IrOp.CmpEq, v, B.Const(0));

    /// <summary>Replaces the flag bits in <paramref name="mask"/> of the current flags with <paramref name="bits"/> (already at their positions).</summary>
    /// <remarks>For instructions that define a few flags and leave the rest unchanged (bt, rotates, clc, adcx...).</remarks>
    public ushort MergeFlags(ushort current, ulong mask, ushort bits) =>
        B.Or(B.AndImm(current, (long)~mask), bits);

    // ---- bit counting ----------------------------------------------------------------------

    /// <summary>Number of set bits of the 64-bit value <paramref name="v"/>.</summary>
    /// <remarks>
    /// A pure call (native code: the host's popcnt; regions keep state in locals across it), where 12 IR ops of
    /// SWAR counting made every tzcnt after a vpmovmskb in glibc's AVX2 string functions ~30 host instructions.
    /// </remarks>
    public ushort PopCount(ushort v) => B.PureCall(UserEmu.Cpu.X86.IntegerHelpers.PopCount, v, v, v);

    /// <summary>Trailing zero count of the low <paramref name="size"/> bytes of <paramref name="v"/> (zero-extended); size*8 when they are 0.</summary>
    public ushort TrailingZeros(ushort v, int size)
    {
        // A sentinel bit just above the operand makes a zero input count to the operand width.
        ushort x = size == 8 ? v : B.Or(v, B.Const(1L << (size * 8)));
        ushort lowest = B.And(x, B.Unary(IrOp.Neg, x));
        return PopCount(B.AddImm(lowest, -1));
    }

    /// <summary>Index of the highest set bit plus one (0 for 0) of the zero-extended value <paramref name="v"/>.</summary>
    public ushort BitLength(ushort v)
    {
        ushort x = v;
        for (int s = 1; s < 64; s <<= 1) x = B.Or(x, B.ShrImm(x, s));
        return PopCount(x);
    }
}
