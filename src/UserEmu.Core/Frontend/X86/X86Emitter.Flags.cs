using UserEmu.Cpu.X86;
using UserEmu.IR;

namespace UserEmu.Frontend.X86;

public sealed partial class X86Emitter
{
    /// <summary>The last flag-setting operation in this block, kept so that cmp/test + jcc become one compare.</summary>
    struct CcRecord
    {
        public bool Known;
        public CcKind Kind;
        public int Size;
        public ushort A, Src, Res;
    }

    CcRecord _cc;

    /// <summary>Masks <paramref name="v"/> to <paramref name="size"/> bytes.</summary>
    public ushort Trunc(ushort v, int size) => B.ZExt(v, size);

    /// <summary>Records flags of an operation lazily. <paramref name="res"/> must already be truncated to <paramref name="size"/>.</summary>
    /// <param name="a">First operand, when known (lets conditions after cmp/sub compare operands directly).</param>
    public void SetFlags(CcKind kind, int size, ushort res, ushort src = 0, ushort src2 = 0, ushort a = 0, bool hasA = false)
    {
        B.StoreState(CpuState.OffCcOp, 4, B.Const((long)LazyFlags.Op(kind, size)));
        B.StoreState(CpuState.OffCcDst, 8, res);
        if (kind is not CcKind.Logic) B.StoreState(CpuState.OffCcSrc, 8, src);
        if (kind is CcKind.Adc or CcKind.Sbb) B.StoreState(CpuState.OffCcSrc2, 8, src2);
        _cc = new CcRecord { Known = kind is CcKind.Add or CcKind.Sub or CcKind.Logic or CcKind.Inc or CcKind.Dec && (kind != CcKind.Sub || hasA), Kind = kind, Size = size, A = a, Src = src, Res = res };
    }

    /// <summary>Sets all six arithmetic flags from a value holding them at their RFLAGS positions.</summary>
    public void SetEflags(ushort flags)
    {
        ushort masked = B.AndImm(flags, (long)LazyFlags.ArithMask);
        B.StoreState(CpuState.OffCcOp, 4, B.Const((long)CcOp.Eflags));
        B.StoreState(CpuState.OffCcSrc, 8, masked);
        // Conditions later in the block test these bits (ucomisd; ja): through the lazy state they were a run-time
        // dispatch on CcOp, since the carry-in packed beside it hid the constant op.
        _cc = new CcRecord { Known = true, Kind = CcKind.Eflags, Res = masked };
    }

    /// <summary>All six arithmetic flags at their RFLAGS positions.</summary>
    public ushort ComputeFlags()
    {
        if (_cc.Known && _cc.Kind == CcKind.Eflags) return _cc.Res;
        _cc.Known = false;
        return LazyFlagsCall(FlagHelpers.ComputePure, 0);
    }

    /// <summary>
    /// Evaluates the recorded lazy flags through a pure helper on the loaded CC state: unlike a helper call it is no
    /// barrier to state forwarding, and it vanishes when its result turns out unused.
    /// </summary>
    ushort LazyFlagsCall(PureFn fn, long imm)
    {
        ushort op = B.LoadState(CpuState.OffCcOp, 4);
        ushort carryIn = B.AndImm(B.LoadState(CpuState.OffCcSrc2, 8), 1);
        ushort packed = B.Or(op, B.ShlImm(carryIn, 32));
        return B.PureCall(fn, packed, B.LoadState(CpuState.OffCcDst, 8), B.LoadState(CpuState.OffCcSrc, 8), imm);
    }

    /// <summary>CF as 0 or 1.</summary>
    public ushort GetCf()
    {
        if (_cc.Known)
        {
            switch (_cc.Kind)
            {
                case CcKind.Sub: return B.Binary(IrOp.CmpLtU, _cc.A, _cc.Src);
                case CcKind.Add: return B.Binary(IrOp.CmpLtU, _cc.Res, _cc.Src);
                case CcKind.Logic: return B.Const(0);
                case CcKind.Eflags: return B.AndImm(_cc.Res, (long)LazyFlags.CF);
            }
        }
        return LazyFlagsCall(FlagHelpers.ConditionPure, (long)Cond.B);
    }

    ushort SignBit(ushort v, int size) => B.AndImm(B.ShrImm(v, size * 8 - 1), 1);

    /// <summary>1 if condition <paramref name="cc"/> holds, else 0.</summary>
    public ushort Condition(Cond cc)
    {
        if (_cc.Known && TrySpecialized(cc, out var r)) return r;
        return LazyFlagsCall(FlagHelpers.ConditionPure, (long)cc);
    }

    bool TrySpecialized(Cond cc, out ushort r)
    {
        if (_cc.Kind == CcKind.Eflags)
        {
            r = FromEflags(cc, _cc.Res);
            return true;
        }
        int size = _cc.Size;
        ushort res = _cc.Res;
        bool negate = ((int)cc & 1) != 0;
        var baseCc = (Cond)((int)cc & ~1);
        r = 0;
        ushort v;
        switch (baseCc)
        {
            case Cond.E: v = B.Binary(IrOp.CmpEq, res, B.Const(0)); break;
            case Cond.S: v = SignBit(res, size); break;
            case Cond.B when _cc.Kind is CcKind.Sub or CcKind.Add or CcKind.Logic: v = GetCf(); break;
            case Cond.BE when _cc.Kind == CcKind.Sub: v = B.Binary(IrOp.CmpLeU, _cc.A, _cc.Src); break;
            case Cond.BE when _cc.Kind == CcKind.Logic: v = B.Binary(IrOp.CmpEq, res, B.Const(0)); break;
            case Cond.L when _cc.Kind == CcKind.Sub: v = B.Binary(IrOp.CmpLtS, B.SExt(_cc.A, size), B.SExt(_cc.Src, size)); break;
            case Cond.LE when _cc.Kind == CcKind.Sub: v = B.Binary(IrOp.CmpLeS, B.SExt(_cc.A, size), B.SExt(_cc.Src, size)); break;
            case Cond.L when _cc.Kind == CcKind.Logic: v = SignBit(res, size); break;
            case Cond.LE when _cc.Kind == CcKind.Logic: v = B.Binary(IrOp.CmpLeS, B.SExt(res, size), B.Const(0)); break;
            case Cond.O when _cc.Kind == CcKind.Logic: v = B.Const(0); break;
            default: return false;
        }
        r = negate ? B.Xor(v, B.Const(1)) : v;
        return true;
    }

    /// <summary>Condition <paramref name="cc"/> of flags held at their RFLAGS positions (only the arithmetic ones set).</summary>
    ushort FromEflags(Cond cc, ushort flags)
    {
        ulong mask;
        switch ((Cond)((int)cc & ~1))
        {
            case Cond.O: mask = LazyFlags.OF; break;
            case Cond.B: mask = LazyFlags.CF; break;
            case Cond.E: mask = LazyFlags.ZF; break;
            case Cond.BE: mask = LazyFlags.CF | LazyFlags.ZF; break;
            case Cond.S: mask = LazyFlags.SF; break;
            case Cond.P: mask = LazyFlags.PF; break;
            default:
                // L and LE: bit 7 of flags ^ flags >> 4 is SF ^ OF, bit 6 is ZF (bit 10, DF, is not among them).
                flags = B.Xor(flags, B.ShrImm(flags, 4));
                mask = ((int)cc & ~1) == (int)Cond.L ? LazyFlags.SF : LazyFlags.SF | LazyFlags.ZF;
                break;
        }
        return B.Binary(((int)cc & 1) != 0 ? IrOp.CmpEq : IrOp.CmpNe, B.AndImm(flags, (long)mask), B.Const(0));
    }
}
