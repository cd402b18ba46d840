using UserEmu.Engine;
using UserEmu.Syscalls.Host;
using UserEmu.Syscalls.Timers;

namespace UserEmu.Syscalls.Handlers;

/// <summary>Timers that send signals: alarm, setitimer/getitimer, timer_create/settime/gettime/getoverrun/delete.</summary>
/// <remarks>The timers live in <see cref="KernelState.Timers"/>; see <see cref="GuestTimer"/> for how they fire.</remarks>
public static unsafe class TimerSyscalls
{
    const int ITIMER_REAL = 0, ITIMER_VIRTUAL = 1, ITIMER_PROF = 2;
    const int SIGEV_SIGNAL = 0, SIGEV_NONE = 1, SIGEV_THREAD = 2, SIGEV_THREAD_ID = 4;
    const int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3, CLOCK_BOOTTIME = 7;
    const int TIMER_ABSTIME = 1;
    const long NsPerSec = 1_000_000_000;

    /// <summary>alarm(seconds): ITIMER_REAL one-shot; returns the seconds left of the previous alarm (rounded, at least 1).</summary>
    public static long Alarm(in SyscallContext c)
    {
        var (left, _) = c.Kernel.Timers.Real.Set((long)(uint)c.A0 * NsPerSec, 0);
        return left == 0 ? 0 : Math.Max(1, (left + NsPerSec / 2) / NsPerSec);
    }

    /// <summary>setitimer(which, new, old) on struct itimerval {interval, value} of timevals.</summary>
    public static long Setitimer(in SyscallContext c)
    {
        if (Itimer(c, (int)c.A0) is not { } timer) return -Errno.EINVAL;
        long interval = 0, value = 0;
        if (c.A1 != 0)
        {
            if (!ReadTimeval(c, c.A1, out interval) || !ReadTimeval(c, c.A1 + 16, out value)) return -Errno.EINVAL;
        }
        var old = timer.Set(value, interval);
        if (c.A2 != 0) WriteItimerval(c, c.A2, old);
        return 0;
    }

    /// <summary>getitimer(which, cur).</summary>
    public static long Getitimer(in SyscallContext c)
    {
        if (Itimer(c, (int)c.A0) is not { } timer) return -Errno.EINVAL;
        WriteItimerval(c, c.A1, timer.Get());
        return 0;
    }

    // ITIMER_REAL counts wall time (SIGALRM), ITIMER_VIRTUAL the process's user CPU time (SIGVTALRM), ITIMER_PROF its
    // user and system CPU time (SIGPROF); null for any other `which`.
    static GuestTimer? Itimer(in SyscallContext c, int which) => which switch
    {
        ITIMER_REAL => c.Kernel.Timers.Real,
        ITIMER_VIRTUAL => c.Kernel.Timers.Virtual,
        ITIMER_PROF => c.Kernel.Timers.Prof,
        _ => null,
    };

    /// <summary>timer_create(clock, sevp, timerid) on struct sigevent {sigval, signo, notify, tid}.</summary>
    public static long TimerCreate(in SyscallContext c)
    {
        int clock = (int)c.A0;
        // The process's CPU clock is the emulator's (ProcessCpuTime), as clock_gettime of it is.
        Func<long>? cpuClock = CpuClock(clock, (int)Sys.Call(HostNr.Getpid));
        if (cpuClock == null && clock is not (CLOCK_REALTIME or CLOCK_MONOTONIC or CLOCK_BOOTTIME))
        {
            if (clock == CLOCK_THREAD_CPUTIME_ID || clock < 0)
            {
                c.Kernel.Warnings.Once("timer-cpuclock", "useremu: timer_create on a thread's or another process's CPU-time clock is not supported");
                return -Errno.ENOSYS;
            }
            return -Errno.EINVAL;
        }
        int signo = Signals.SIGALRM, notify = SIGEV_SIGNAL, tid = 0;
        ulong value = 0;
        bool defaultValue = c.A1 == 0;
        if (c.A1 != 0)
        {
            value = c.Mem.Read64(c.A1);
            signo = (int)c.Mem.Read32(c.A1 + 8);
            notify = (int)c.Mem.Read32(c.A1 + 12);
            tid = (int)c.Mem.Read32(c.A1 + 16);
        }
        Vcpu? thread = null;
        switch (notify)
        {
            case SIGEV_NONE:
                break;
            case SIGEV_SIGNAL:
            case SIGEV_THREAD: // the kernel treats it as SIGEV_SIGNAL; libc builds the helper thread itself
                if (signo < 1 || signo > GuestSignals.MaxSignal) return -Errno.EINVAL;
                break;
            case SIGEV_THREAD_ID:
                if (signo < 1 || signo > GuestSignals.MaxSignal) return -Errno.EINVAL;
                thread = tid == c.Cpu.Tid ? c.Cpu : c.Process.Threads.Find(tid);
                if (thread == null) return -Errno.EINVAL;
                break;
            default:
                return -Errno.EINVAL;
        }
        byte* idOut = c.Out(c.A2, 4);
        var process = c.Process;
        int id = c.Kernel.Timers.Create(id => new GuestTimer(process, id, signo, thread, defaultValue ? (ulong)id : value,
            GuestTimer.SiTimer, notify == SIGEV_NONE, cpuClock), clock);
        *(int*)idOut = id;
        return 0;
    }

    // The process's own CPU clock as a timer's clock: CLOCK_PROCESS_CPUTIME_ID, or its kernel encoding that libc's
    // timer_create passes (negative: ~pid << 3 | 4 for a thread | 0 PROF, 1 VIRT, 2 SCHED; pid 0 is the caller);
    // null for any other clock.
    static Func<long>? CpuClock(int clock, int selfPid)
    {
        if (clock == CLOCK_PROCESS_CPUTIME_ID) return ProcessCpuTime.Ticks;
        if (clock >= 0 || (clock & 4) != 0 || (clock & 3) == 3) return null;
        int pid = ~(clock >> 3);
        if (pid != 0 && pid != selfPid) return null;
        return (clock & 3) == 1 ? ProcessCpuTime.UserTicks : ProcessCpuTime.Ticks;
    }

    /// <summary>timer_settime(id, flags, new, old) on struct itimerspec {interval, value} of timespecs.</summary>
    public static long TimerSettime(in SyscallContext c)
    {
        var t = c.Kernel.Timers.Find((int)c.A0);
        if (t == null) return -Errno.EINVAL;
        if (!ReadTimespec(c, c.A2, out long interval) || !ReadTimespec(c, c.A2 + 16, out long value)) return -Errno.EINVAL;
        if (((int)c.A1 & TIMER_ABSTIME) != 0 && value != 0)
        {
            long* now = stackalloc long[2];
            Sys.ClockGettime(c.Kernel.Timers.ClockOf((int)c.A0), now);
            // An absolute time already past expires at once.
            value = Math.Max(1, value - (now[0] * NsPerSec + now[1]));
        }
        var old = t.Set(value, interval);
        if (c.A3 != 0) WriteItimerspec(c, c.A3, old);
        return 0;
    }

    public static long TimerGettime(in SyscallContext c)
    {
        var t = c.Kernel.Timers.Find((int)c.A0);
        if (t == null) return -Errno.EINVAL;
        WriteItimerspec(c, c.A1, t.Get());
        return 0;
    }

    public static long TimerGetoverrun(in SyscallContext c) => c.Kernel.Timers.Find((int)c.A0) is { } t ? t.Overrun : -Errno.EINVAL;

    public static long TimerDelete(in SyscallContext c) => c.Kernel.Timers.Delete((int)c.A0) ? 0 : -Errno.EINVAL;

    static bool ReadTimeval(in SyscallContext c, ulong addr, out long ns)
    {
        long sec = (long)c.Mem.Read64(addr), usec = (long)c.Mem.Read64(addr + 8);
        ns = sec * NsPerSec + usec * 1000;
        return sec >= 0 && usec >= 0 && usec < 1_000_000;
    }

    static bool ReadTimespec(in SyscallContext c, ulong addr, out long ns)
    {
        long sec = (long)c.Mem.Read64(addr), nsec = (long)c.Mem.Read64(addr + 8);
        ns = sec * NsPerSec + nsec;
        return sec >= 0 && nsec >= 0 && nsec < NsPerSec;
    }

    static void WriteItimerval(in SyscallContext c, ulong addr, (long Remaining, long Interval) v)
    {
        // Microseconds rounded up, as the kernel does, so a running timer never reads as 0.
        c.Mem.Write64(addr, (ulong)(v.Interval / NsPerSec));
        c.Mem.Write64(addr + 8, (ulong)((v.Interval % NsPerSec + 999) / 1000));
        c.Mem.Write64(addr + 16, (ulong)(v.Remaining / NsPerSec));
        c.Mem.Write64(addr + 24, (ulong)((v.Remaining % NsPerSec + 999) / 1000));
        NormaliseUsec(c, addr);
        NormaliseUsec(c, addr + 16);
    }

    static void NormaliseUsec(in SyscallContext c, ulong tv)
    {
        if (c.Mem.Read64(tv + 8) < 1_000_000) return;
        c.Mem.Write64(tv, c.Mem.Read64(tv) + 1);
        c.Mem.Write64(tv + 8, 0);
    }

    static void WriteItimerspec(in SyscallContext c, ulong addr, (long Remaining, long Interval) v)
    {
        c.Mem.Write64(addr, (ulong)(v.Interval / NsPerSec));
        c.Mem.Write64(addr + 8, (ulong)(v.Interval % NsPerSec));
        c.Mem.Write64(addr + 16, (ulong)(v.Remaining / NsPerSec));
        c.Mem.Write64(addr + 24, (ulong)(v.Remaining % NsPerSec));
    }
}
