using UserEmu.Engine;
using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>Sending signals: kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo, and SIGPIPE on a broken pipe.</summary>
/// <remarks>
/// A signal for this process is queued in the emulator (process-directed ones on the process, thread-directed ones
/// on the vCPU) and delivered by the dispatch loop; signals for other processes (and process groups, which the host
/// sends back to us if we are in them) go through the host.
/// </remarks>
public static class SignalSendSyscalls
{
    public const int SI_USER = 0, SI_QUEUE = -1, SI_TKILL = -6;

    /// <summary>kill(pid, sig): to this process it is queued; to anyone else (groups included) the host sends it.</summary>
    public static long Kill(in SyscallContext c)
    {
        int pid = (int)c.A0, sig = (int)c.A1;
        if (sig < 0 || sig > GuestSignals.MaxSignal) return -Errno.EINVAL;
        if (pid != c.Kernel.Pid) return Sys.Call(HostNr.Kill, pid, sig);
        if (sig == 0) return 0;
        return QueueToProcess(c, new GuestSignalInfo(sig, SI_USER, 0, c.Kernel.Pid, Uid()));
    }

    /// <summary>tkill(tid, sig).</summary>
    public static long Tkill(in SyscallContext c)
    {
        int tid = (int)c.A0, sig = (int)c.A1;
        if (tid <= 0 || sig < 0 || sig > GuestSignals.MaxSignal) return -Errno.EINVAL;
        var target = FindThread(c, tid);
        if (target == null) return Sys.Call(HostNr.Tkill, tid, sig);
        return sig == 0 ? 0 : QueueToThread(c, target, new GuestSignalInfo(sig, SI_TKILL, 0, c.Kernel.Pid, Uid()));
    }

    /// <summary>tgkill(tgid, tid, sig): raise() and pthread_kill() use it on the caller's own process.</summary>
    public static long Tgkill(in SyscallContext c)
    {
        int tgid = (int)c.A0, tid = (int)c.A1, sig = (int)c.A2;
        if (tgid <= 0 || tid <= 0 || sig < 0 || sig > GuestSignals.MaxSignal) return -Errno.EINVAL;
        if (tgid != c.Kernel.Pid) return Sys.Call(HostNr.Tgkill, tgid, tid, sig);
        var target = FindThread(c, tid);
        if (target == null) return -Errno.ESRCH;
        return sig == 0 ? 0 : QueueToThread(c, target, new GuestSignalInfo(sig, SI_TKILL, 0, c.Kernel.Pid, Uid()));
    }

    /// <summary>rt_sigqueueinfo(tgid, sig, info): sigqueue() with its sigval; only this process is reachable.</summary>
    public static long RtSigqueueinfo(in SyscallContext c)
    {
        int tgid = (int)c.A0, sig = (int)c.A1;
        if (sig < 0 || sig > GuestSignals.MaxSignal) return -Errno.EINVAL;
        if (tgid != c.Kernel.Pid) return ForeignQueue(c);
        var info = ReadInfo(c, c.A2, sig, out long err);
        if (err != 0) return err;
        return sig == 0 ? 0 : QueueToProcess(c, info);
    }

    /// <summary>rt_tgsigqueueinfo(tgid, tid, sig, info).</summary>
    public static long RtTgsigqueueinfo(in SyscallContext c)
    {
        int tgid = (int)c.A0, tid = (int)c.A1, sig = (int)c.A2;
        if (tgid <= 0 || tid <= 0 || sig < 0 || sig > GuestSignals.MaxSignal) return -Errno.EINVAL;
        if (tgid != c.Kernel.Pid) return ForeignQueue(c);
        var target = FindThread(c, tid);
        if (target == null) return -Errno.ESRCH;
        var info = ReadInfo(c, c.A3, sig, out long err);
        if (err != 0) return err;
        return sig == 0 ? 0 : QueueToThread(c, target, info);
    }

    // Another process's siginfo would have to be passed through in the host's layout, which is the guest's: not wired yet.
    static long ForeignQueue(in SyscallContext c)
    {
        c.Kernel.Warnings.Once("sigqueue-foreign", "useremu: rt_sigqueueinfo to another process is not supported");
        return -Errno.ENOSYS;
    }

    // siginfo_t: signo, errno, code, then pid, uid, sigval. As the kernel, a sender may not pretend to be the kernel or tkill.
    static GuestSignalInfo ReadInfo(in SyscallContext c, ulong addr, int sig, out long err)
    {
        int code = (int)c.Mem.Read32(addr + 8);
        err = code >= 0 || code == SI_TKILL ? -Errno.EPERM : 0;
        return new GuestSignalInfo(sig, code, 0, (int)c.Mem.Read32(addr + 16), (int)c.Mem.Read32(addr + 20), c.Mem.Read64(addr + 24));
    }

    /// <summary>A write that failed with EPIPE also raises SIGPIPE on the writing thread, as the kernel's pipe and socket code does.</summary>
    public static long PipeCheck(in SyscallContext c, long result)
    {
        if (result == -Errno.EPIPE) QueueToThread(c, c.Cpu, new GuestSignalInfo(Signals.SIGPIPE, SI_USER, 0, c.Kernel.Pid, Uid()));
        return result;
    }

    static int Uid() => (int)Sys.Call(HostNr.Getuid);

    static Vcpu? FindThread(in SyscallContext c, int tid) =>
        tid == ProcessSyscalls.Gettid(c) ? c.Cpu : c.Process.Threads.Find(tid);

    static long QueueToProcess(in SyscallContext c, GuestSignalInfo info)
    {
        // SIGSTOP cannot be handled or ignored: the host stops the whole emulator, as the kernel would stop the process.
        if (info.Signal == Signals.SIGSTOP) return Sys.Call(HostNr.Kill, c.Kernel.Pid, info.Signal);
        c.Process.Signals.QueueToProcess(info, c.Cpu);
        return 0;
    }

    static long QueueToThread(in SyscallContext c, Vcpu target, GuestSignalInfo info)
    {
        if (info.Signal == Signals.SIGSTOP) return Sys.Call(HostNr.Kill, c.Kernel.Pid, info.Signal);
        // As the kernel, an ignored signal is dropped when sent unless the thread blocks it.
        if (c.Process.Signals.IsIgnored(info.Signal) && (target.SignalMask & (1UL << (info.Signal - 1))) == 0) return 0;
        target.Enqueue(info);
        return 0;
    }
}
