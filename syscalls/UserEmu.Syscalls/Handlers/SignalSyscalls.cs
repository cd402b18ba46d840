using UserEmu.Cpu.X86;
using UserEmu.Engine;
using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>Signal state and sending: rt_sigaction, rt_sigprocmask, sigaltstack, kill, tkill, tgkill.</summary>
/// <remarks>
/// Dispositions live in the process's <see cref="GuestSignals"/> table and masks and alternate stacks on each
/// <see cref="Vcpu"/>; the host's own signal state (the .NET runtime's) is never changed. A signal the guest sends
/// to itself is queued on a guest thread and delivered by the dispatch loop; signals to other processes are sent by
/// the host.
/// </remarks>
public static unsafe class SignalSyscalls
{
    public const int SI_USER = 0, SI_TKILL = -6;
    const int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
    const int SS_ONSTACK = 1, SS_DISABLE = 2, MINSIGSTKSZ = 2048;
    const uint SS_AUTODISARM = 1u << 31;
    const ulong SigSetSize = 8;
    /// <summary>SIGKILL and SIGSTOP can be neither caught nor blocked.</summary>
    const ulong Unblockable = (1UL << (Signals.SIGKILL - 1)) | (1UL << (Signals.SIGSTOP - 1));

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
            cpu.SignalMask = mask;
            // Unblocking may make a queued signal deliverable: the dispatch loop looks after this call.
            if (cpu.HasDeliverableSignal) c.Process.Signals.HasPending = true;
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

    /// <summary>kill(pid, sig): to this process it is queued on a guest thread; to anyone else (groups included) the host sends it.</summary>
    public static long Kill(in SyscallContext c)
    {
        int pid = (int)c.A0, sig = (int)c.A1;
        if (sig < 0 || sig > GuestSignals.MaxSignal) return -Errno.EINVAL;
        if (pid != c.Kernel.Pid) return Sys.Call(HostNr.Kill, pid, sig);
        if (sig == 0) return 0;
        return QueueToProcess(c, sig, SI_USER);
    }

    /// <summary>tkill(tid, sig).</summary>
    public static long Tkill(in SyscallContext c)
    {
        int tid = (int)c.A0, sig = (int)c.A1;
        if (tid <= 0 || sig < 0 || sig > GuestSignals.MaxSignal) return -Errno.EINVAL;
        var target = FindThread(c, tid);
        if (target == null) return Sys.Call(HostNr.Tkill, tid, sig);
        return sig == 0 ? 0 : QueueToThread(c, target, sig, SI_TKILL);
    }

    /// <summary>tgkill(tgid, tid, sig): raise() and pthread_kill() use it on the caller's own process.</summary>
    public static long Tgkill(in SyscallContext c)
    {
        int tgid = (int)c.A0, tid = (int)c.A1, sig = (int)c.A2;
        if (tgid <= 0 || tid <= 0 || sig < 0 || sig > GuestSignals.MaxSignal) return -Errno.EINVAL;
        if (tgid != c.Kernel.Pid) return Sys.Call(HostNr.Tgkill, tgid, tid, sig);
        var target = FindThread(c, tid);
        if (target == null) return -Errno.ESRCH;
        return sig == 0 ? 0 : QueueToThread(c, target, sig, SI_TKILL);
    }

    /// <summary>A write that failed with EPIPE also raises SIGPIPE on the writing thread, as the kernel's pipe and socket code does.</summary>
    public static long PipeCheck(in SyscallContext c, long result)
    {
        if (result == -Errno.EPIPE) QueueToThread(c, c.Cpu, Signals.SIGPIPE, SI_USER);
        return result;
    }

    static Vcpu? FindThread(in SyscallContext c, int tid) =>
        tid == ProcessSyscalls.Gettid(c) ? c.Cpu : c.Process.Threads.Find(tid);

    // A process-directed signal goes to a thread that does not block it, the caller first (as the kernel prefers).
    static long QueueToProcess(in SyscallContext c, int sig, int code)
    {
        ulong bit = 1UL << (sig - 1);
        var target = c.Cpu;
        if ((target.SignalMask & bit) != 0)
            foreach (var t in c.Process.Threads.Snapshot())
                if ((t.SignalMask & bit) == 0)
                {
                    target = t;
                    break;
                }
        return QueueToThread(c, target, sig, code);
    }

    static long QueueToThread(in SyscallContext c, Vcpu target, int sig, int code)
    {
        // SIGSTOP cannot be handled or ignored: the host stops the whole emulator, as the kernel would stop the process.
        if (sig == Signals.SIGSTOP) return Sys.Call(HostNr.Kill, c.Kernel.Pid, sig);
        target.Enqueue(new GuestSignalInfo(sig, code, 0, c.Kernel.Pid, (int)Sys.Call(HostNr.Getuid)));
        return 0;
    }
}
