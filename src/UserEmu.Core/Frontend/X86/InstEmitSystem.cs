using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.Engine;

namespace UserEmu.Frontend.X86;

/// <summary>System-level instructions a user process can execute: syscall, cpuid, rdtsc, traps and privileged faults.</summary>
static class InstEmitSystem
{
    public static void Install(X86EmitterTable t)
    {
        t[Mnemonic.Syscall] = Syscall;
        // Immediates that mean the same in every process (not the instruction's InsnTable index): the persistent code
        // cache keeps blocks calling helpers (HelperCatalog).
        t[Mnemonic.Cpuid] = e => e.HelperImm(SystemHelpers.Cpuid, 0);
        t[Mnemonic.Rdtsc] = e => e.HelperImm(SystemHelpers.Rdtsc, 0);
        t[Mnemonic.Rdtscp] = e => e.HelperImm(SystemHelpers.Rdtsc, SystemHelpers.RdtscpImm);
        t[Mnemonic.Ud2] = e => e.RaiseSignal(Signals.SIGILL, Signals.ILL_ILLOPN);
        t.Add(e => e.RaiseSignal(Signals.SIGILL, Signals.ILL_ILLOPN), Mnemonic.Ud0, Mnemonic.Ud1);
        t[Mnemonic.Int3] = Int3;
        t[Mnemonic.Int1] = e => e.RaiseSignal(Signals.SIGTRAP, Signals.SI_KERNEL);
        t[Mnemonic.Int] = e => e.RaiseSignal(Signals.SIGSEGV, Signals.SI_KERNEL);
        // Privileged in ring 3: the kernel turns #GP into SIGSEGV with si_code SI_KERNEL.
        t.Add(e => e.RaiseSignal(Signals.SIGSEGV, Signals.SI_KERNEL),
            Mnemonic.Hlt, Mnemonic.Cli, Mnemonic.Sti, Mnemonic.In, Mnemonic.Out, Mnemonic.Insb, Mnemonic.Insw, Mnemonic.Insd,
            Mnemonic.Outsb, Mnemonic.Outsw, Mnemonic.Outsd, Mnemonic.Lgdt, Mnemonic.Lidt, Mnemonic.Lldt, Mnemonic.Ltr,
            Mnemonic.Invlpg, Mnemonic.Wrmsr, Mnemonic.Rdmsr, Mnemonic.Wbinvd, Mnemonic.Invd, Mnemonic.Clts, Mnemonic.Iretq,
            Mnemonic.Iretd, Mnemonic.Iret, Mnemonic.Sysret, Mnemonic.Sysretq, Mnemonic.Swapgs, Mnemonic.Rdpmc);
    }

    static void Syscall(X86Emitter e)
    {
        // The CPU itself puts the return address in RCX and RFLAGS in R11 (R11 at the dispatch: X86Translator.EnterSyscall).
        e.SetGpr(CpuState.RCX, 8, e.B.Const(e.NextPc));
        e.B.Syscall(e.NextPc);
    }

    static void Int3(X86Emitter e)
    {
        // The kernel reports the trap after the int3, with RIP past it.
        e.B.StoreState(CpuState.OffRip, 8, e.B.Const(e.NextPc));
        e.HelperImm(SignalHelpers.Raise, e.InsnIndex | ((long)Signals.SIGTRAP << 40) | ((long)Signals.SI_KERNEL << 48));
        e.EndJump(e.NextPc);
    }
}
