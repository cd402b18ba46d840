using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>Scheduling: yield, CPU affinity, policies, priorities. Guest threads are host threads, so their tids address them on the host.</summary>
public static unsafe class SchedulerSyscalls
{
    const ulong SchedParamSize = 4, TimespecSize = 16;

    public static long SchedYield(in SyscallContext c) => Sys.Call(HostNr.SchedYield);

    /// <summary>sched_getaffinity(pid, len, mask): the host's CPUs; returns the bytes written (the kernel's cpumask size).</summary>
    public static long SchedGetaffinity(in SyscallContext c)
    {
        ulong n = c.Buffer(c.A2, (uint)c.A1, true, out byte* mask);
        // The kernel wants a multiple of sizeof(long); a buffer cut short by an unmapped page keeps that shape.
        if (mask != null && n < (uint)c.A1) n &= ~7UL;
        return Sys.Call(HostNr.SchedGetaffinity, (long)c.A0, (long)n, (long)mask);
    }

    public static long SchedSetaffinity(in SyscallContext c)
    {
        ulong n = c.Buffer(c.A2, (uint)c.A1, false, out byte* mask);
        return Sys.Call(HostNr.SchedSetaffinity, (long)c.A0, (long)n, (long)mask);
    }

    public static long SchedGetparam(in SyscallContext c) => Sys.Call(HostNr.SchedGetparam, (long)c.A0, (long)c.Out(c.A1, SchedParamSize));

    public static long SchedSetparam(in SyscallContext c) => Sys.Call(HostNr.SchedSetparam, (long)c.A0, (long)c.In(c.A1, SchedParamSize));

    public static long SchedGetscheduler(in SyscallContext c) => Sys.Call(HostNr.SchedGetscheduler, (long)c.A0);

    public static long SchedSetscheduler(in SyscallContext c) =>
        Sys.Call(HostNr.SchedSetscheduler, (long)c.A0, (long)c.A1, (long)c.In(c.A2, SchedParamSize));

    public static long SchedGetPriorityMax(in SyscallContext c) => Sys.Call(HostNr.SchedGetPriorityMax, (long)c.A0);

    public static long SchedGetPriorityMin(in SyscallContext c) => Sys.Call(HostNr.SchedGetPriorityMin, (long)c.A0);

    public static long SchedRrGetInterval(in SyscallContext c) => Sys.Call(HostNr.SchedRrGetInterval, (long)c.A0, (long)c.Out(c.A1, TimespecSize));

    /// <summary>getpriority(which, who): the raw syscall returns 20 - nice (1..40) so that it is never negative; libc converts.</summary>
    public static long Getpriority(in SyscallContext c) => Sys.Call(HostNr.Getpriority, (long)c.A0, (long)c.A1);

    public static long Setpriority(in SyscallContext c) => Sys.Call(HostNr.Setpriority, (long)c.A0, (long)c.A1, (long)c.A2);
}
