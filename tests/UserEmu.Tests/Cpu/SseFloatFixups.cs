using Iced.Intel;

namespace UserEmu.Tests.Cpu;

/// <summary>Adjustments of random SSE cases: valid MXCSR images in memory for ldmxcsr and fxrstor (most of the time).</summary>
static class SseFloatFixups
{
    /// <summary>A random MXCSR value; one case in four keeps random reserved bits (#GP).</summary>
    static uint MxcsrImage(CaseEditor e) =>
        e.Rng.Next(4) == 0 ? (uint)e.Rng.Next() | (1u << e.Rng.Next(16, 32)) : (uint)e.Rng.Next(0x10000);

    public static bool Ldmxcsr(CaseEditor e)
    {
        e.WriteData(e.MemAddress, 4, MxcsrImage(e));
        return true;
    }

    /// <summary>fxsave: bit 17 of MXCSR_MASK (+28) is AMD's MM (misaligned-exception mask), which Intel CPUs and UserEmu lack.</summary>
    public static bool Fxsave(CaseEditor e)
    {
        if (e.Insn.Mnemonic is Mnemonic.Fxsave or Mnemonic.Fxsave64) e.Case.IgnoreData(e.MemAddress + 30, 1, 0x02);
        return true;
    }

    /// <summary>
    /// dpps/dppd: skips operands whose result NaN depends on the order of the sums (several NaN products, or one with a
    /// default NaN possible as well: inf × 0, infinities of both signs). Intel and UserEmu sum each destination lane in
    /// its own order, AMD Zen 5 in the SDM's (p0 + p1) + (p2 + p3) for every lane; which NaN wins is vendor-specific.
    /// </summary>
    public static bool DotProduct(CaseEditor e)
    {
        bool single = e.Insn.Mnemonic == Mnemonic.Dpps;
        int size = single ? 4 : 8, fracBits = single ? 23 : 52, lanes = 16 / size;
        int maxExp = single ? 0xFF : 0x7FF, bias = maxExp >> 1;
        int imm = e.Insn.Immediate8;
        int nans = 0;
        bool defaultNan = false, plusInf = false, minusInf = false;
        for (int i = 0; i < lanes; i++)
        {
            if ((imm >> (4 + i) & 1) == 0) continue;
            ulong a = Lane(e, 0, i, size), b = Lane(e, 1, i, size);
            int ea = (int)(a >> fracBits) & maxExp, eb = (int)(b >> fracBits) & maxExp;
            bool nanA = ea == maxExp && (a & ((1UL << fracBits) - 1)) != 0, nanB = eb == maxExp && (b & ((1UL << fracBits) - 1)) != 0;
            if (nanA || nanB) nans++;
            else if (ea == maxExp && eb == 0 || eb == maxExp && ea == 0) defaultNan = true; // inf × zero (or denormal under DAZ)
            else if (ea == maxExp || eb == maxExp || ea + eb - 2 * bias >= bias - 2) // infinite, or a product or sum may overflow
            {
                if (((a ^ b) >> (size * 8 - 1) & 1) != 0) minusInf = true;
                else plusInf = true;
            }
        }
        return !(nans >= 2 || nans == 1 && (defaultNan || plusInf && minusInf));
    }

    static ulong Lane(CaseEditor e, int operand, int lane, int size)
    {
        ulong v = 0;
        for (int k = size - 1; k >= 0; k--) v = v << 8 | SseFixups.OperandByte(e, operand, lane * size + k);
        return v;
    }

    /// <summary>fxrstor: the MXCSR field at +24 of the image.</summary>
    public static bool Fxrstor(CaseEditor e)
    {
        e.WriteData(e.MemAddress + 24, 4, MxcsrImage(e));
        return true;
    }
}
