namespace UserEmu.Tests.Cpu;

/// <summary>Element formats of SSE operands, for choosing interesting lane values.</summary>
public enum SseLaneFormat { Single, Double, Int32, Int64 }

/// <summary>Random float, double and integer lane values rich in IEEE edge cases, and random MXCSR settings.</summary>
public sealed class SseFloatValues(Random rng)
{
    public Random Rng => rng;

    /// <summary>A double pattern: zeros, denormals, extremes, infinities, NaNs, ties, integers near limits, random exponents.</summary>
    public ulong Double()
    {
        ulong sign = rng.Next(2) == 0 ? 0 : 1UL << 63;
        ulong frac = (ulong)rng.NextInt64() & 0x000F_FFFF_FFFF_FFFFUL;
        switch (rng.Next(16))
        {
            case 0: return sign;
            case 1: return sign | (rng.Next(3) == 0 ? 1UL : frac >> rng.Next(52));
            case 2: return sign | 0x0010_0000_0000_0000UL | (rng.Next(2) == 0 ? 0 : frac);
            case 3: return sign | 0x7FEF_FFFF_FFFF_FFFFUL - (ulong)rng.Next(3);
            case 4: return sign | 0x7FF0_0000_0000_0000UL;
            case 5: return sign | 0x7FF8_0000_0000_0000UL | frac >> rng.Next(52);
            case 6: return sign | 0x7FF0_0000_0000_0000UL | Math.Max(1, frac >> (12 + rng.Next(40)));
            case 7: return sign | 0x3FF0_0000_0000_0000UL;
            case 8: return BitConverter.DoubleToUInt64Bits((rng.Next(-2000, 2000) + (rng.Next(2) == 0 ? 0.5 : 0)) / (1 << rng.Next(3)));
            case 9: return BitConverter.DoubleToUInt64Bits((rng.Next(2) == 0 ? -1 : 1) * Math.ScaleB(1 + rng.Next(8), rng.Next(2) == 0 ? 28 + rng.Next(6) : 60 + rng.Next(6)) + rng.Next(-2, 3));
            case 10: return sign | (ulong)rng.Next(0x7FE + 1) << 52 | frac;
            case 11: return sign | (ulong)rng.Next(1, 60) << 52 | frac;
            case 12: return sign | (ulong)(0x7FE - rng.Next(60)) << 52 | frac;
            default: return sign | (ulong)(1023 + rng.Next(-30, 30)) << 52 | frac;
        }
    }

    /// <summary>A float pattern, with the same kinds of values as <see cref="Double"/>.</summary>
    public uint Single()
    {
        uint sign = rng.Next(2) == 0 ? 0 : 0x8000_0000u;
        uint frac = (uint)rng.Next() & 0x7F_FFFF;
        switch (rng.Next(16))
        {
            case 0: return sign;
            case 1: return sign | (rng.Next(3) == 0 ? 1u : frac >> rng.Next(23));
            case 2: return sign | 0x0080_0000u | (rng.Next(2) == 0 ? 0 : frac);
            case 3: return sign | 0x7F7F_FFFFu - (uint)rng.Next(3);
            case 4: return sign | 0x7F80_0000u;
            case 5: return sign | 0x7FC0_0000u | frac >> rng.Next(23);
            case 6: return sign | 0x7F80_0000u | Math.Max(1u, frac >> (1 + rng.Next(22)));
            case 7: return sign | 0x3F80_0000u;
            case 8: return BitConverter.SingleToUInt32Bits((rng.Next(-2000, 2000) + (rng.Next(2) == 0 ? 0.5f : 0)) / (1 << rng.Next(3)));
            case 9: return BitConverter.SingleToUInt32Bits((float)((rng.Next(2) == 0 ? -1 : 1) * Math.ScaleB(1 + rng.Next(8), rng.Next(2) == 0 ? 28 + rng.Next(6) : 60 + rng.Next(6))));
            case 10: return sign | (uint)rng.Next(0xFE + 1) << 23 | frac;
            case 11: return sign | (uint)rng.Next(1, 30) << 23 | frac;
            case 12: return sign | (uint)(0xFE - rng.Next(30)) << 23 | frac;
            default: return sign | (uint)(127 + rng.Next(-20, 20)) << 23 | frac;
        }
    }

    public ulong Integer(bool is64)
    {
        long v = rng.Next(6) switch
        {
            0 => rng.Next(-1000, 1000),
            1 => is64 ? long.MinValue + rng.Next(3) : int.MinValue + rng.Next(3),
            2 => is64 ? long.MaxValue - rng.Next(3) : int.MaxValue - rng.Next(3),
            3 => (1L << rng.Next(is64 ? 63 : 31)) + rng.Next(-3, 4),
            _ => is64 ? rng.NextInt64() : rng.Next(int.MinValue, int.MaxValue),
        };
        return is64 ? (ulong)v : (uint)(int)v;
    }

    /// <summary>16 bytes of lanes of <paramref name="f"/>.</summary>
    public void Fill(Span<byte> dst, SseLaneFormat f)
    {
        for (int at = 0; at < dst.Length; at += f is SseLaneFormat.Double or SseLaneFormat.Int64 ? 8 : 4)
        {
            switch (f)
            {
                case SseLaneFormat.Single: BitConverter.TryWriteBytes(dst[at..], Single()); break;
                case SseLaneFormat.Double: BitConverter.TryWriteBytes(dst[at..], Double()); break;
                case SseLaneFormat.Int32: BitConverter.TryWriteBytes(dst[at..], (uint)Integer(false)); break;
                default: BitConverter.TryWriteBytes(dst[at..], Integer(true)); break;
            }
        }
    }

    /// <summary>
    /// A random MXCSR with all exceptions masked: any rounding mode, DAZ, FTZ and sticky flags; with
    /// <paramref name="unmaskChance"/> some masks cleared (rarely with a flag already set and unmasked).
    /// </summary>
    public uint Mxcsr(double unmaskChance = 0)
    {
        uint m = 0x1F80u | (uint)rng.Next(4) << 13;
        if (rng.Next(3) == 0) m |= 0x40;
        if (rng.Next(3) == 0) m |= 0x8000;
        if (rng.Next(2) == 0) m |= (uint)rng.Next(64);
        if (rng.NextDouble() < unmaskChance)
        {
            m &= ~((uint)rng.Next(1, 64) << 7);
            // Mostly no flag that is already set and unmasked (any new exception then reports it too in si_code).
            uint unmasked = ~(m >> 7) & 0x3F;
            if (rng.Next(4) != 0) m &= ~unmasked;
        }
        return m;
    }
}
