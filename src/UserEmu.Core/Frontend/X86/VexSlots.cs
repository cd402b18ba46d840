using UserEmu.Cpu.X86;

namespace UserEmu.Frontend.X86;

/// <summary>
/// The scratch vector slots of AVX lowering (<see cref="CpuState.VecScratch"/>; legacy emitters see them as XMM18..21):
/// the destination lanes being computed and the staged source lanes. Slots 16 and 17 stay free for the legacy emitters'
/// own memory operands, and slot 21 is also where F16C builds a result bound for memory.
/// </summary>
static class VexSlots
{
    /// <summary>Low and high destination lanes.</summary>
    public const int T0 = CpuState.VecScratch0 + 2, T1 = T0 + 1;
    /// <summary>A staged memory operand (32 bytes for 256-bit loads) and a source's high lane.</summary>
    public const int A = T0 + 2, B = T0 + 3;
}
