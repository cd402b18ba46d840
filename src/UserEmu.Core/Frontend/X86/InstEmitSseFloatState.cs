using Iced.Intel;
using UserEmu.Cpu.X86;

namespace UserEmu.Frontend.X86;

/// <summary>SSE control state: ldmxcsr/stmxcsr and the fxsave/fxrstor image (all forms).</summary>
static class InstEmitSseFloatState
{
    public static void Install(X86EmitterTable t)
    {
        t[Mnemonic.Ldmxcsr] = e => e.HelperImm(SseStateHelpers.LoadMxcsr, 0, e.B.Load(e.Ea(), 4));
        t[Mnemonic.Stmxcsr] = e => e.B.Store(e.Ea(), e.B.LoadState(CpuState.OffMxcsr, 4), 4);
        t.Add(e => e.HelperImm(SseStateHelpers.Save, 0, e.Ea()), Mnemonic.Fxsave, Mnemonic.Fxsave64);
        t.Add(e => e.HelperImm(SseStateHelpers.Restore, 0, e.Ea()), Mnemonic.Fxrstor, Mnemonic.Fxrstor64);
    }
}
