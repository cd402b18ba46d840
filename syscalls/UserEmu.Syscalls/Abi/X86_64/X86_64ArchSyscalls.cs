using UserEmu.Cpu.X86.Signals;

namespace UserEmu.Syscalls.Abi.X86_64;

/// <summary>The x86-64-only calls: arch_prctl (FS/GS bases) and rt_sigreturn (the x86-64 signal frame).</summary>
public static unsafe class X86_64ArchSyscalls
{
    public const int ARCH_SET_GS = 0x1001, ARCH_SET_FS = 0x1002, ARCH_GET_FS = 0x1003, ARCH_GET_GS = 0x1004;
    /// <summary>TASK_SIZE_MAX for 4-level paging: a base at or above it is refused with EPERM, as do_arch_prctl_64 does.</summary>
    const ulong TaskSizeMax = 0x7FFFFFFFF000UL;

    /// <summary>arch_prctl(code, addr): the segment bases the guest's TLS uses.</summary>
    /// <remarks>
    /// Other codes (ARCH_GET_CPUID/ARCH_SET_CPUID, the XSTATE permission requests, shadow stacks, vDSO mapping) get
    /// -EINVAL as under QEMU: the emulated CPU offers no CPUID faulting, AMX or CET, and glibc treats EINVAL as absence.
    /// </remarks>
    public static long ArchPrctl(in SyscallContext c)
    {
        var s = c.Cpu.State;
        switch ((int)c.A0)
        {
            case ARCH_SET_FS:
                if (c.A1 >= TaskSizeMax) return -Errno.EPERM;
                s->FsBase = c.A1;
                return 0;
            case ARCH_SET_GS:
                if (c.A1 >= TaskSizeMax) return -Errno.EPERM;
                s->GsBase = c.A1;
                return 0;
            case ARCH_GET_FS:
                c.Mem.Write64(c.A1, s->FsBase);
                return 0;
            case ARCH_GET_GS:
                c.Mem.Write64(c.A1, s->GsBase);
                return 0;
            default:
                return -Errno.EINVAL;
        }
    }

    /// <summary>rt_sigreturn: restores the context the signal frame saved; the "result" is the interrupted code's RAX.</summary>
    public static long RtSigreturn(in SyscallContext c) => (long)X86SignalFrame.Return(c.Cpu);
}
