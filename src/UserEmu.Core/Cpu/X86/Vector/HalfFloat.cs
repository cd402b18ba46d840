using System.Numerics;

namespace UserEmu.Cpu.X86;

/// <summary>IEEE half precision (F16C): exact widening to single, and narrowing with a chosen rounding mode and the MXCSR flags.</summary>
public static class HalfFloat
{
    /// <summary>vcvtph2ps for one element: exact; a NaN is quietened (IE for an SNaN).</summary>
    public static uint ToSingle(ushort h, ref uint flags)
    {
        uint sign = (uint)(h & 0x8000) << 16;
        int exp = (h >> 10) & 0x1F;
        uint frac = (uint)h & 0x3FF;
        if (exp == 0x1F)
        {
            if (frac == 0) return sign | 0x7F80_0000;
            if ((frac & 0x200) == 0) flags |= Mxcsr.IE;
            return sign | 0x7FC0_0000 | frac << 13;
        }
        if (exp == 0)
        {
            if (frac == 0) return sign;
            // A half denormal is a normal single: shift its leading bit up to the hidden position.
            int shift = BitOperations.LeadingZeroCount(frac) - 21;
            return sign | (uint)(127 - 15 - shift + 1) << 23 | ((frac << shift) & 0x3FF) << 13;
        }
        return sign | (uint)(exp - 15 + 127) << 23 | frac << 13;
    }

    /// <summary>
    /// vcvtps2ph for one element with rounding control <paramref name="rc"/> (MXCSR encoding); <paramref name="mx"/>
    /// supplies DAZ. Flags: IE (SNaN), DE (denormal input), OE, UE (tiny and inexact), PE.
    /// </summary>
    public static ushort FromSingle(uint v, int rc, uint mx, ref uint flags)
    {
        ushort sign = (ushort)((v >> 16) & 0x8000);
        int exp = (int)((v >> 23) & 0xFF);
        uint frac = v & 0x7F_FFFF;
        if (exp == 0xFF)
        {
            if (frac == 0) return (ushort)(sign | 0x7C00);
            if ((frac & 0x40_0000) == 0) flags |= Mxcsr.IE;
            return (ushort)(sign | 0x7E00 | (frac >> 13));
        }
        ulong m;
        int e;
        if (exp == 0)
        {
            if (frac == 0) return sign;
            if ((mx & Mxcsr.DAZ) != 0) return sign;
            flags |= Mxcsr.DE;
            m = frac;
            e = -149;
        }
        else
        {
            m = frac | 0x80_0000;
            e = exp - 150;
        }
        bool neg = sign != 0;
        int lead = 63 - BitOperations.LeadingZeroCount(m) + e;
        // Quantum of the result: 2^-24 for half denormals, else 11 significant bits.
        int quantumExp = lead < -14 ? -24 : lead - 10;
        int shift = quantumExp - e;
        ulong q;
        bool inexact = false;
        if (shift <= 0) q = m << -shift;
        else if (shift >= 40)
        {
            // Far below half a quantum: only a directed rounding away from zero gives the smallest denormal.
            q = (rc == Mxcsr.RoundUp && !neg) || (rc == Mxcsr.RoundDown && neg) ? 1UL : 0;
            inexact = true;
        }
        else
        {
            q = m >> shift;
            ulong rem = m & ((1UL << shift) - 1), halfway = 1UL << (shift - 1);
            inexact = rem != 0;
            if (inexact && RoundUp(rc, neg, q, rem, halfway)) q++;
        }
        // Tininess after rounding, as x86 detects it: still below 2^-14 with an unbounded exponent.
        bool tiny = lead < -14 && q < 0x400;
        if (lead == -15 && inexact)
        {
            // Rounded to 11 bits instead of the denormal quantum, the value may reach 2^-14 and not be tiny.
            ulong q11 = m >> (shift - 1);
            ulong rem11 = m & ((1UL << (shift - 1)) - 1);
            if (shift - 1 > 0 && RoundUp(rc, neg, q11, rem11, 1UL << (shift - 2))) q11++;
            tiny = q11 < 0x800;
        }
        uint h = lead < -14 ? (uint)q : (uint)((lead + 15) << 10) + (uint)q - 0x400;
        if (h >= 0x7C00)
        {
            flags |= Mxcsr.OE | Mxcsr.PE;
            bool toInf = rc == Mxcsr.RoundNearest || (rc == Mxcsr.RoundUp && !neg) || (rc == Mxcsr.RoundDown && neg);
            return (ushort)(sign | (toInf ? 0x7C00 : 0x7BFF));
        }
        if (inexact) flags |= Mxcsr.PE | (tiny ? Mxcsr.UE : 0);
        return (ushort)(sign | h);
    }

    static bool RoundUp(int rc, bool neg, ulong q, ulong rem, ulong halfway) => rc switch
    {
        Mxcsr.RoundNearest => rem > halfway || (rem == halfway && (q & 1) != 0),
        Mxcsr.RoundUp => !neg,
        Mxcsr.RoundDown => neg,
        _ => false,
    };
}
