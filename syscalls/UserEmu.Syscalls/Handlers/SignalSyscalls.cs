using UserEmu.Cpu.X86;
using UserEmu.Engine;
using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>Signal state: rt_sigaction, rt_sigprocmask, sigaltstack (sending is in SignalSendSyscalls, waiting in SignalWaitSyscalls).</summary>
/// <remarks>
/// Dispositions live in the process's <see cref="GuestSignals"/> table and masks and alternate stacks on each
/// <see cref="Vcpu"/>; the host's own signal state (the .NET runtime's) is never changed. A signal the guest sends
/// to itself is queued on a guest thread and delivered by the dispatch loop; signals to other processes are sent by
/// the host.
/// </remarks>
public static unsafe class SignalSyscalls
{
    const int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
    const int SS_ONSTACK = 1, SS_DISABLE = 2, MINSIGSTKSZ = 2048;
    const uint SS_AUTODISARM = 1u << 31;
    internal const ulong SigSetSize = 8;
    /// <summary>SIGKILL and SIGSTOP can be neither caught nor blocked.</summary>
    internal const ulong Unblockable = (1UL << (Signals.SIGKILL - 1)) | (1UL << (Signals.SIGSTOP - 1));

    /// <summary>rt_sigaction(sig, act, oact, sigsetsize) on struct kernel_sigaction {handler, flags, restorer, mask}.</summary>
    public static long RtSigaction(in SyscallContext c)
    {
        if (c.A3 != SigSetSize) return -Errno.EINVAL;
        int sig = (int)c.A0;
        if (sig < 1 || sig > GuestSignals.MaxSignal) return -Errno.EINVAL;
        if (c.A1 != 0 && sig is Signals.SIGKILL or Signals.SIGSTOP) return -Errno.EINVAL;
        GuestSigAction act = default;
        if (c.A1 != 0)
        {
            act = c.Read<GuestSigAction>(c.A1);
            act.Mask &= ~Unblockable;
        }
        var actions = c.Process.Signals.Actions;
        GuestSigAction old;
        lock (actions)
        {
            old = actions[sig];
            if (c.A1 != 0) actions[sig] = act;
        }
        if (c.A1 != 0 && act.Handler != GuestSigAction.SIG_DFL) UserEmu.Host.HostSignalForwarding.Need(1UL << (sig - 1));
        // As in the kernel, the new action is in place even if storing the old one then faults.
        if (c.A2 != 0) c.Write(c.A2, old);
        return 0;
    }

    /// <summary>rt_sigprocmask(how, set, oldset, sigsetsize) on the calling thread's mask.</summary>
    public static long RtSigprocmask(in SyscallContext c)
    {
        if (c.A3 != SigSetSize) return -Errno.EINVAL;
        var cpu = c.Cpu;
        ulong old = cpu.SignalMask;
        if (c.A1 != 0)
        {
            ulong set = c.Mem.Read64(c.A1) & ~Unblockable;
            ulong mask = (int)c.A0 switch
            {
                SIG_BLOCK => old | set,
                SIG_UNBLOCK => old & ~set,
                SIG_SETMASK => set,
                _ => ulong.MaxValue,
            };
            if (mask == ulong.MaxValue) return -Errno.EINVAL;
            // A blocked signal must stay pending rather than take the host's default action.
            UserEmu.Host.HostSignalForwarding.Need(mask);
            // Unblocking may make a queued signal deliverable: the dispatch loop looks right after this call.
            cpu.SetSignalMask(mask);
        }
        if (c.A2 != 0) c.Mem.Write64(c.A2, old);
        return 0;
    }

    /// <summary>sigaltstack(ss, old_ss) on stack_t {void* ss_sp; int ss_flags; size_t ss_size} (24 bytes).</summary>
    public static long Sigaltstack(in SyscallContext c)
    {
        var cpu = c.Cpu;
        ulong sp = cpu.State->Gpr[CpuState.RSP];
        bool onStack = cpu.AltStackSize != 0 && sp > cpu.AltStackBase && sp - cpu.AltStackBase <= cpu.AltStackSize;
        ulong newSp = 0, newSize = 0;
        uint newFlags = 0;
        if (c.A0 != 0)
        {
            newSp = c.Mem.Read64(c.A0);
            newFlags = c.Mem.Read32(c.A0 + 8);
            newSize = c.Mem.Read64(c.A0 + 16);
        }
        int oldFlags = (cpu.AltStackSize == 0 ? SS_DISABLE : onStack ? SS_ONSTACK : 0) | (int)((uint)cpu.AltStackFlags & SS_AUTODISARM);
        ulong oldBase = cpu.AltStackBase, oldSize = cpu.AltStackSize;
        if (c.A0 != 0)
        {
            if (onStack) return -Errno.EPERM;
            uint mode = newFlags & ~SS_AUTODISARM;
            if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0) return -Errno.EINVAL;
            if (mode == SS_DISABLE)
            {
                newSp = newSize = 0;
            }
            else if (newSize < MINSIGSTKSZ)
            {
                return -Errno.ENOMEM;
            }
            cpu.AltStackBase = newSp;
            cpu.AltStackSize = newSize;
            cpu.AltStackFlags = (int)newFlags;
        }
        if (c.A1 != 0)
        {
            c.Mem.Write64(c.A1, oldBase);
            c.Mem.Write64(c.A1 + 8, (uint)oldFlags);
            c.Mem.Write64(c.A1 + 16, oldSize);
        }
        return 0;
    }
}
