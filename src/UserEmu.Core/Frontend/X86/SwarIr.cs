using UserEmu.IR;

namespace UserEmu.Frontend.X86;

/// <summary>
/// Packed-lane arithmetic inside one 64-bit IR value (SIMD within a register): lane-wise add, subtract, equality,
/// unsigned compare and interleave, so that common SSE integer ops need no helper call.
/// </summary>
/// <remarks>Lane sizes are in bytes (1, 2, 4 or 8). Each routine is exact for every input; none carries across lanes.</remarks>
static class SwarIr
{
    /// <summary>The sign bit of every lane.</summary>
    public static long High(int lane) => lane switch
    {
        1 => unchecked((long)0x8080_8080_8080_8080),
        2 => unchecked((long)0x8000_8000_8000_8000),
        4 => unchecked((long)0x8000_0000_8000_0000),
        _ => long.MinValue,
    };

    /// <summary>All bits of one lane.</summary>
    static long LaneOnes(int lane) => lane == 8 ? -1 : (1L << (lane * 8)) - 1;

    public static ushort Add(IrBuilder b, ushort x, ushort y, int lane)
    {
        if (lane == 8) return b.Add(x, y);
        long h = High(lane);
        // Add the low bits of each lane (no carry out of a lane), then fix the sign bits by XOR.
        ushort sum = b.Add(b.AndImm(x, ~h), b.AndImm(y, ~h));
        return b.Xor(sum, b.AndImm(b.Xor(x, y), h));
    }

    public static ushort Sub(IrBuilder b, ushort x, ushort y, int lane)
    {
        if (lane == 8) return b.Sub(x, y);
        long h = High(lane);
        // Set each lane's sign bit in the minuend so that no borrow leaves a lane, then fix the sign bits.
        ushort diff = b.Sub(b.Or(x, b.Const(h)), b.AndImm(y, ~h));
        return b.Xor(diff, b.AndImm(b.Unary(IrOp.Not, b.Xor(x, y)), h));
    }

    /// <summary>Expands a value holding only lane sign bits into all-ones lanes.</summary>
    static ushort SignToMask(IrBuilder b, ushort signs, int lane) =>
        b.Binary(IrOp.Mul, b.ShrImm(signs, lane * 8 - 1), b.Const(LaneOnes(lane)));

    /// <summary>All-ones in each lane where x == y, zero elsewhere.</summary>
    public static ushort Equal(IrBuilder b, ushort x, ushort y, int lane)
    {
        if (lane == 8) return b.Unary(IrOp.Neg, b.Binary(IrOp.CmpEq, x, y));
        long h = High(lane);
        ushort d = b.Xor(x, y);
        // ((d & ~h) + ~h) | d has a lane's sign bit set exactly when the lane of d is non-zero.
        ushort nonZero = b.Or(b.Add(b.AndImm(d, ~h), b.Const(~h)), d);
        return SignToMask(b, b.AndImm(b.Unary(IrOp.Not, nonZero), h), lane);
    }

    /// <summary>All-ones in each lane where x >= y as unsigned numbers.</summary>
    public static ushort GreaterEqualUnsigned(IrBuilder b, ushort x, ushort y, int lane)
    {
        long h = High(lane);
        // Sign bit of t per lane: (x & ~h) >= (y & ~h). The sign bits of x and y decide when they differ.
        ushort t = b.Sub(b.Or(x, b.Const(h)), b.AndImm(y, ~h));
        ushort ge = b.Or(b.And(x, b.Unary(IrOp.Not, y)), b.And(b.Unary(IrOp.Not, b.Xor(x, y)), t));
        return SignToMask(b, b.AndImm(ge, h), lane);
    }

    /// <summary>All-ones in each lane where x > y as signed numbers.</summary>
    public static ushort GreaterSigned(IrBuilder b, ushort x, ushort y, int lane)
    {
        if (lane == 8) return b.Unary(IrOp.Neg, b.Binary(IrOp.CmpLtS, y, x));
        // Flipping the sign bits maps signed order onto unsigned order; x > y is NOT (y >= x).
        long h = High(lane);
        ushort xu = b.Xor(x, b.Const(h)), yu = b.Xor(y, b.Const(h));
        return b.Unary(IrOp.Not, GreaterEqualUnsigned(b, yu, xu, lane));
    }

    /// <summary>Per lane: <paramref name="mask"/> lanes all-ones pick <paramref name="ifSet"/>, zero lanes <paramref name="ifClear"/>.</summary>
    public static ushort Blend(IrBuilder b, ushort mask, ushort ifSet, ushort ifClear) =>
        b.Or(b.And(mask, ifSet), b.And(b.Unary(IrOp.Not, mask), ifClear));

    /// <summary>Spreads the low 32 bits of <paramref name="x"/> so that each <paramref name="lane"/>-byte lane gets a zero lane above it.</summary>
    public static ushort Spread(IrBuilder b, ushort x, int lane)
    {
        x = b.ZExt(x, 4);
        if (lane == 4) return x;
        x = b.AndImm(b.Or(x, b.ShlImm(x, 16)), 0x0000_FFFF_0000_FFFF);
        if (lane == 2) return x;
        return b.AndImm(b.Or(x, b.ShlImm(x, 8)), 0x00FF_00FF_00FF_00FF);
    }

    /// <summary>The sign bits of the eight bytes of <paramref name="x"/> gathered into bits 0..7.</summary>
    public static ushort ByteSignBits(IrBuilder b, ushort x)
    {
        // Bit 8k (after the shift) times 2^(56-7k) lands on bit 56+k; no two products share a bit, so nothing carries.
        ushort bits = b.ShrImm(b.AndImm(x, High(1)), 7);
        return b.ShrImm(b.Binary(IrOp.Mul, bits, b.Const(0x0102_0408_1020_4080)), 56);
    }
}
