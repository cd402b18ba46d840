namespace UserEmu.Cpu.X86;

public static partial class SseFloat
{
    /// <summary>
    /// rcpss/rsqrtss: 1/x or 1/sqrt(x) computed in double and rounded to 12 significant bits (relative error at most
    /// 2^-13, within the SDM's 1.5*2^-12), without a table. As on Intel CPUs: denormal inputs count as zero, results
    /// below the normal range flush to zero, MXCSR is neither read nor written.
    /// </summary>
    public static uint Reciprocal(uint v, bool rsqrt)
    {
        const uint Sign = 0x8000_0000, Inf = 0x7F80_0000;
        if (IsNaN(v, true)) return (uint)Quiet(v, true);
        uint sign = v & Sign;
        if ((v & Inf) == 0) return sign | Inf;
        if (rsqrt && sign != 0) return (uint)DefaultNaN(true);
        if ((v & ~Sign) == Inf) return sign;
        double x = Math.Abs((double)BitConverter.Int32BitsToSingle((int)v));
        double r = rsqrt ? 1.0 / Math.Sqrt(x) : 1.0 / x;
        // Keep 12 significant bits, rounding to nearest at bit 52 - 11.
        long bits = BitConverter.DoubleToInt64Bits(r);
        const int Drop = 52 - 11;
        bits = (bits + (1L << (Drop - 1))) & ~((1L << Drop) - 1);
        double q = BitConverter.Int64BitsToDouble(bits);
        if (q < 1.1754943508222875e-38) return sign;
        return sign | (uint)BitConverter.SingleToInt32Bits((float)q);
    }
}
