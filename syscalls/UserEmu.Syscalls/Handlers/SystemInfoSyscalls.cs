using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>What the system and the process's accounting report: uname, sysinfo, resource limits, usage, times, getcpu.</summary>
public static unsafe class SystemInfoSyscalls
{
    public const int UtsnameSize = 6 * 65, SysinfoSize = 112, RusageSize = 144, TmsSize = 32, RlimitSize = 16;
    const int MachineOffset = 4 * 65;
    const int RLIM_NLIMITS = 16;

    /// <summary>uname: the host's fields, with machine "x86_64" (the guest's architecture, whatever the host says).</summary>
    public static long Uname(in SyscallContext c)
    {
        byte* buf = c.Out(c.A0, UtsnameSize);
        long r = Sys.Call(HostNr.Uname, (long)buf);
        if (r != 0) return r;
        var machine = new Span<byte>(buf + MachineOffset, 65);
        machine.Clear();
        "x86_64"u8.CopyTo(machine);
        return 0;
    }

    public static long Sysinfo(in SyscallContext c) => Sys.Call(HostNr.Sysinfo, (long)c.Out(c.A0, SysinfoSize));

    public static long Getrusage(in SyscallContext c) => Sys.Call(HostNr.Getrusage, (long)c.A0, (long)c.Out(c.A1, RusageSize));

    /// <summary>times(buf): buf may be NULL; returns clock ticks since an arbitrary point.</summary>
    public static long Times(in SyscallContext c) => Sys.Call(HostNr.Times, (long)c.OutOrNull(c.A0, TmsSize));

    /// <summary>getcpu(cpu, node, cache): the host CPU the guest thread runs on; the third argument is unused since 2.6.24.</summary>
    public static long Getcpu(in SyscallContext c) =>
        Sys.Call(HostNr.Getcpu, (long)c.OutOrNull(c.A0, 4), (long)c.OutOrNull(c.A1, 4), 0);

    public static long Getrlimit(in SyscallContext c)
    {
        int resource = (int)c.A0;
        if ((uint)resource >= RLIM_NLIMITS) return -Errno.EINVAL;
        byte* old = c.Out(c.A1, RlimitSize);
        return GetLimit(c, resource, (ulong*)old);
    }

    public static long Setrlimit(in SyscallContext c)
    {
        int resource = (int)c.A0;
        if ((uint)resource >= RLIM_NLIMITS) return -Errno.EINVAL;
        var lim = (ulong*)c.In(c.A1, RlimitSize);
        return SetLimit(c, resource, lim[0], lim[1]);
    }

    /// <summary>prlimit64(pid, resource, new, old): on this process the guest's view; on another, the host's call.</summary>
    public static long Prlimit64(in SyscallContext c)
    {
        int pid = (int)c.A0, resource = (int)c.A1;
        var newLim = (ulong*)c.InOrNull(c.A2, RlimitSize);
        var oldLim = (ulong*)c.OutOrNull(c.A3, RlimitSize);
        if (pid != 0 && pid != c.Kernel.Pid && c.Process.Threads.Find(pid) == null)
            return Sys.Call(HostNr.Prlimit64, pid, resource, (long)newLim, (long)oldLim);
        if ((uint)resource >= RLIM_NLIMITS) return -Errno.EINVAL;
        if (oldLim != null)
        {
            long r = GetLimit(c, resource, oldLim);
            if (r != 0) return r;
        }
        return newLim == null ? 0 : SetLimit(c, resource, newLim[0], newLim[1]);
    }

    static long GetLimit(in SyscallContext c, int resource, ulong* result)
    {
        if (EmulatedLimits.IsEmulated(resource) && c.Kernel.Limits.TryGet(resource, out ulong cur, out ulong max))
        {
            result[0] = cur;
            result[1] = max;
            return 0;
        }
        return Sys.Call(HostNr.Prlimit64, 0, resource, 0, (long)result);
    }

    /// <summary>Sets a limit: the address-space, data and stack limits only in the guest's view (see <see cref="EmulatedLimits"/>).</summary>
    static long SetLimit(in SyscallContext c, int resource, ulong cur, ulong max)
    {
        if (!EmulatedLimits.IsEmulated(resource))
        {
            ulong* lim = stackalloc ulong[2] { cur, max };
            return Sys.Call(HostNr.Prlimit64, 0, resource, (long)lim, 0);
        }
        if (cur > max) return -Errno.EINVAL;
        ulong* old = stackalloc ulong[2];
        long r = GetLimit(c, resource, old);
        if (r != 0) return r;
        // Raising the hard limit needs CAP_SYS_RESOURCE.
        if (max > old[1] && !MayRaiseHardLimits()) return -Errno.EPERM;
        c.Kernel.Limits.Set(resource, cur, max);
        return 0;
    }

    // CAP_SYS_RESOURCE is approximated by being root, the usual way to hold it.
    static bool MayRaiseHardLimits() => Sys.Call(HostNr.Geteuid) == 0;
}
