using UserEmu.IR;

namespace UserEmu.Optimizer;

/// <summary>Turns ops that give back one of their operands into copies: x + 0, x | 0, x ^ 0, x - 0, shifts by 0, x * 1,
/// x &amp; -1, x - x and x ^ x, and zero-extensions or masks of values already that narrow (the frontend zero-extends every 32-bit result
/// and address part, mostly of values that are zero-extended already).</summary>
/// <remarks>IR arithmetic is on 64 bits (only rotates take a size), so these are exact. Copy propagation then
/// removes the copies.</remarks>
static class AlgebraicSimplification
{
    public static void Run(IrInstr[] code, int tempCount)
    {
        // Per temp: whether it is a known constant, its value, and how many low bits can be non-zero.
        var known = new bool[tempCount];
        var value = new ulong[tempCount];
        var width = new byte[tempCount];
        Array.Fill(width, (byte)64);
        for (int k = 0; k < code.Length; k++)
        {
            ref var i = ref code[k];
            switch (i.Op)
            {
                case IrOp.Const:
                    known[i.Dst] = true;
                    value[i.Dst] = (ulong)i.Imm;
                    width[i.Dst] = (byte)(64 - ulong.LeadingZeroCount((ulong)i.Imm));
                    continue;
                case IrOp.Sub or IrOp.Xor when i.A == i.B:
                {
                    // sbb r, r and xor r, r without a constant zero in the frontend.
                    ushort dst = i.Dst;
                    i = new IrInstr { Op = IrOp.Const, Dst = dst, Imm = 0 };
                    known[dst] = true;
                    value[dst] = 0;
                    width[dst] = 0;
                    continue;
                }
                case IrOp.Add or IrOp.Or or IrOp.Xor when IsConst(i.A, 0):
                    Copy(ref i, i.B);
                    break;
                case IrOp.Add or IrOp.Or or IrOp.Xor or IrOp.Sub or IrOp.Shl or IrOp.Shr or IrOp.Sar when IsConst(i.B, 0):
                    Copy(ref i, i.A);
                    break;
                case IrOp.Mul when IsConst(i.B, 1):
                    Copy(ref i, i.A);
                    break;
                case IrOp.Mul when IsConst(i.A, 1):
                    Copy(ref i, i.B);
                    break;
                case IrOp.And when known[i.B] && Covers(value[i.B], width[i.A]):
                    Copy(ref i, i.A);
                    break;
                case IrOp.And when known[i.A] && Covers(value[i.A], width[i.B]):
                    Copy(ref i, i.B);
                    break;
                case IrOp.ZExt when width[i.A] <= 8 * i.Size:
                    Copy(ref i, i.A);
                    break;
            }
            if (!PreparedBlock.Defines(i.Op)) continue;
            width[i.Dst] = i.Op switch
            {
                IrOp.Mov => width[i.A],
                IrOp.ZExt => Math.Min(width[i.A], (byte)(8 * i.Size)),
                IrOp.LoadState or IrOp.Load when i.Size < 8 => (byte)(8 * i.Size),
                IrOp.CmpEq or IrOp.CmpNe or IrOp.CmpLtU or IrOp.CmpLeU or IrOp.CmpLtS or IrOp.CmpLeS => 1,
                IrOp.And => Math.Min(width[i.A], width[i.B]),
                IrOp.Or or IrOp.Xor => Math.Max(width[i.A], width[i.B]),
                IrOp.Shr when known[i.B] => (byte)Math.Max(0, width[i.A] - (int)(value[i.B] & 63)),
                _ => 64,
            };
            if (i.Op == IrOp.Mov && known[i.A])
            {
                known[i.Dst] = true;
                value[i.Dst] = value[i.A];
            }
        }

        bool IsConst(ushort t, ulong v) => known[t] && value[t] == v;
    }

    // A mask keeps every bit a value of `width` bits can have.
    static bool Covers(ulong mask, int width) => width >= 64 ? mask == ulong.MaxValue : (mask | ((1UL << width) - 1)) == mask;

    static void Copy(ref IrInstr i, ushort source)
    {
        ushort dst = i.Dst;
        i = new IrInstr { Op = IrOp.Mov, Dst = dst, A = source };
    }
}
