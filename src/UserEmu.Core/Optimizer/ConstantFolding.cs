using UserEmu.IR;

namespace UserEmu.Optimizer;

/// <summary>Evaluates pure ops whose inputs are constants at translation time (address arithmetic, immediates, x86 zero-extension of constants).</summary>
static class ConstantFolding
{
    public static void Run(IrInstr[] code, int tempCount)
    {
        var known = new bool[tempCount];
        var value = new ulong[tempCount];
        for (int k = 0; k < code.Length; k++)
        {
            ref var i = ref code[k];
            switch (i.Op)
            {
                case IrOp.Const:
                    known[i.Dst] = true;
                    value[i.Dst] = (ulong)i.Imm;
                    break;
                case IrOp.Mov or IrOp.Neg or IrOp.Not or IrOp.ZExt or IrOp.SExt or IrOp.Bswap when known[i.A]:
                    Fold(ref i, IrEval.Unary(i.Op, value[i.A], i.Size), known, value);
                    break;
                case IrOp.Add or IrOp.Sub or IrOp.And or IrOp.Or or IrOp.Xor or IrOp.Shl or IrOp.Shr or IrOp.Sar or IrOp.Rol or IrOp.Ror
                    or IrOp.Mul or IrOp.MulHiU or IrOp.MulHiS or IrOp.CmpEq or IrOp.CmpNe or IrOp.CmpLtU or IrOp.CmpLeU
                    or IrOp.CmpLtS or IrOp.CmpLeS when known[i.A] && known[i.B]:
                    Fold(ref i, IrEval.Binary(i.Op, value[i.A], value[i.B], i.Size), known, value);
                    break;
                case IrOp.PureCall when known[i.A] && known[i.B] && known[i.C]:
                    Fold(ref i, CallPure(i, value), known, value);
                    break;
                case IrOp.Select when known[i.A]:
                {
                    ushort pick = value[i.A] != 0 ? i.B : i.C;
                    if (known[pick]) Fold(ref i, value[pick], known, value);
                    else
                    {
                        ushort dst = i.Dst;
                        i = new IrInstr { Op = IrOp.Mov, Dst = dst, A = pick };
                    }
                    break;
                }
                case IrOp.Branch when known[i.A]:
                {
                    long target = value[i.A] != 0 ? i.Imm : i.Imm2;
                    i = new IrInstr { Op = IrOp.Jump, Imm = target };
                    break;
                }
            }
        }
    }

    static unsafe ulong CallPure(in IrInstr i, ulong[] value) =>
        HelperTable.PurePointer(i.Helper)(value[i.A], value[i.B], value[i.C], i.Imm);

    static void Fold(ref IrInstr i, ulong result, bool[] known, ulong[] value)
    {
        ushort dst = i.Dst;
        i = new IrInstr { Op = IrOp.Const, Dst = dst, Imm = (long)result };
        known[dst] = true;
        value[dst] = result;
    }
}
