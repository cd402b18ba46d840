using System.Runtime.CompilerServices;

namespace UserEmu.Cpu.X86;

public static partial class SseFloat
{
    const double MinNormalSingle = 1.1754943508222875e-38, MaxSingle = 3.4028234663852886e38;
    /// <summary>Bounds within which the error-free transforms of the fast path are exact (no underflow or overflow inside them).</summary>
    const double FastLow = 1.0e-290, FastHigh = 1.0e300;

    /// <summary>
    /// The common case of <see cref="Arith"/> without software rounding: round-to-nearest, normal (or, for add and
    /// mul, zero) operands, and a normal result well inside the range, where the host's result is x86's and only
    /// inexactness needs detecting. Returns false for everything else.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryFast(SseArithOp op, ulong a, ulong b, bool single, uint mx, ref uint flags, out ulong result)
    {
        result = 0;
        if (op >= SseArithOp.Min) return false;
        if (op != SseArithOp.Sqrt && ZeroOperand(op, a, b, single, out result)) return true;
        if (Mxcsr.Rc(mx) != Mxcsr.RoundNearest) return false;
        double x = ToDouble(a, single), y = ToDouble(b, single);
        double ax = Math.Abs(x), ay = Math.Abs(y);
        // Operands: sqrt only reads b; the others need both normal, not huge.
        if (!(ay >= FastLow && ay <= FastHigh)) return false;
        if (op != SseArithOp.Sqrt && !(ax >= FastLow && ax <= FastHigh)) return false;
        if (single && ((a & 0x7F80_0000) == 0 && op != SseArithOp.Sqrt || (b & 0x7F80_0000) == 0)) return false;
        double r, err;
        switch (op)
        {
            case SseArithOp.Add or SseArithOp.Sub:
            {
                if (op == SseArithOp.Sub) y = -y;
                r = x + y;
                double bv = r - x;
                err = (x - (r - bv)) + (y - bv);
                break;
            }
            case SseArithOp.Mul:
                r = x * y;
                err = Math.FusedMultiplyAdd(x, y, -r);
                break;
            case SseArithOp.Div:
                r = x / y;
                err = Math.FusedMultiplyAdd(-r, y, x);
                break;
            default:
                if (y < 0) return false;
                r = Math.Sqrt(y);
                err = Math.FusedMultiplyAdd(-r, r, y);
                break;
        }
        double ar = Math.Abs(r);
        if (single)
        {
            float f = (float)r;
            double af = Math.Abs((double)f);
            if (!(af >= MinNormalSingle && af <= MaxSingle)) return false;
            if (err != 0 || f != r) flags |= Mxcsr.PE;
            result = (uint)BitConverter.SingleToInt32Bits(f);
            return true;
        }
        if (!(ar >= FastLow && ar <= FastHigh)) return false;
        if (err != 0) flags |= Mxcsr.PE;
        result = (ulong)BitConverter.DoubleToInt64Bits(r);
        return true;
    }

    /// <summary>
    /// One operand ±0 and the other normal: x ± 0, 0 ± y, x * 0 and 0 / y are exact in every rounding mode and raise
    /// nothing (x / 0 is left to the general path for ZE).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool ZeroOperand(SseArithOp op, ulong a, ulong b, bool single, out ulong result)
    {
        result = 0;
        ulong sign = SignMask(single), exp = ExpMask(single);
        bool za = (a & ~sign) == 0, zb = (b & ~sign) == 0;
        if (za == zb) return false;
        ulong other = za ? b : a;
        if ((other & exp) == 0 || (other & exp) == exp) return false;
        switch (op)
        {
            case SseArithOp.Add: result = za ? b : a; return true;
            case SseArithOp.Sub: result = za ? b ^ sign : a; return true;
            case SseArithOp.Mul: result = (a ^ b) & sign; return true;
            case SseArithOp.Div when za: result = (a ^ b) & sign; return true;
            default: return false;
        }
    }
}
