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

    /// <summary>fxrstor: the MXCSR field at +24 of the image.</summary>
    public static bool Fxrstor(CaseEditor e)
    {
        e.WriteData(e.MemAddress + 24, 4, MxcsrImage(e));
        return true;
    }
}
