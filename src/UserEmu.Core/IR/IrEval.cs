namespace UserEmu.IR;

/// <summary>Value semantics of the pure IR ops, shared by the interpreter and the constant folder.</summary>
public static class IrEval
{
    public static ulong Unary(IrOp op, ulong a, int size) => op switch
    {
        IrOp.Mov => a,
        IrOp.Neg => 0 - a,
        IrOp.Not => ~a,
        IrOp.ZExt => IrSemantics.ZExt(a, size),
        IrOp.SExt => IrSemantics.SExt(a, size),
        IrOp.Bswap => IrSemantics.Bswap(a, size),
        _ => throw new ArgumentException($"{op} is not a unary op"),
    };

    public static ulong Binary(IrOp op, ulong a, ulong b, int size) => op switch
    {
        IrOp.Add => a + b,
        IrOp.Sub => a - b,
        IrOp.And => a & b,
        IrOp.Or => a | b,
        IrOp.Xor => a ^ b,
        IrOp.Shl => a << (int)(b & 63),
        IrOp.Shr => a >> (int)(b & 63),
        IrOp.Sar => (ulong)((long)a >> (int)(b & 63)),
        IrOp.Rol => IrSemantics.Rol(a, b, size),
        IrOp.Ror => IrSemantics.Ror(a, b, size),
        IrOp.Mul => a * b,
        IrOp.MulHiU => Math.BigMul(a, b, out _),
        IrOp.MulHiS => (ulong)Math.BigMul((long)a, (long)b, out _),
        IrOp.CmpEq => a == b ? 1UL : 0,
        IrOp.CmpNe => a != b ? 1UL : 0,
        IrOp.CmpLtU => a < b ? 1UL : 0,
        IrOp.CmpLeU => a <= b ? 1UL : 0,
        IrOp.CmpLtS => (long)a < (long)b ? 1UL : 0,
        IrOp.CmpLeS => (long)a <= (long)b ? 1UL : 0,
        _ => throw new ArgumentException($"{op} is not a binary op"),
    };
}
