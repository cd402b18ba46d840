using UserEmu.Engine;

namespace UserEmu.Cpu.X86.X87;

/// <summary>The one run-time check of MMX instructions (the rest of their state effects are plain IR, see <c>X86Emitter.Mmx</c>).</summary>
public static unsafe class MmxHelpers
{
    /// <summary>b = the instruction's address: an MMX instruction with an unmasked x87 exception pending raises #MF (SIGFPE).</summary>
    public static ulong CheckPending(Vcpu cpu, ulong a, ulong b, long imm)
    {
        X87Stack.CheckPending(cpu, b);
        return 0;
    }
}
