using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>Clocks and sleeping: clock_gettime/getres/settime/adjtime, gettimeofday, settimeofday, adjtimex, time, nanosleep, clock_nanosleep.</summary>
/// <remarks>
/// The guest's clocks are the host's (same clock ids, same struct timespec, timeval and timex); reads go through the
/// host vDSO and write straight into guest memory. Setting or adjusting a clock sets the host's, as the program run
/// natively would, with the same privilege (EPERM without CAP_SYS_TIME).
/// </remarks>
public static unsafe class TimeSyscalls
{
    const ulong TimespecSize = 16, TimevalSize = 16, TimezoneSize = 8, TimexSize = 208;

    public static long ClockGettime(in SyscallContext c) => Sys.ClockGettime((int)c.A0, c.Out(c.A1, TimespecSize));

    /// <summary>clock_getres(clock, res): res may be NULL (only the clock id is checked).</summary>
    public static long ClockGetres(in SyscallContext c) => Sys.ClockGetres((int)c.A0, c.OutOrNull(c.A1, TimespecSize));

    public static long ClockSettime(in SyscallContext c) => Sys.Call(HostNr.ClockSettime, (long)c.A0, (long)c.In(c.A1, TimespecSize));

    /// <summary>settimeofday(tv, tz): either may be NULL.</summary>
    public static long Settimeofday(in SyscallContext c) =>
        Sys.Call(HostNr.Settimeofday, (long)c.InOrNull(c.A0, TimevalSize), (long)c.InOrNull(c.A1, TimezoneSize));

    /// <summary>adjtimex(buf): the struct timex is read (its modes) and written back (the clock's state).</summary>
    public static long Adjtimex(in SyscallContext c) => Sys.Call(HostNr.Adjtimex, (long)c.Out(c.A0, TimexSize));

    /// <summary>clock_adjtime(clock, buf): adjtimex for one clock.</summary>
    public static long ClockAdjtime(in SyscallContext c) => Sys.Call(HostNr.ClockAdjtime, (long)c.A0, (long)c.Out(c.A1, TimexSize));

    /// <summary>gettimeofday(tv, tz): either may be NULL.</summary>
    public static long Gettimeofday(in SyscallContext c) =>
        Sys.Gettimeofday(c.OutOrNull(c.A0, TimevalSize), c.OutOrNull(c.A1, TimezoneSize));

    /// <summary>time(tloc): returns the seconds and also stores them when tloc is not NULL.</summary>
    public static long Time(in SyscallContext c)
    {
        byte* tloc = c.OutOrNull(c.A0, 8);
        return Sys.Call(HostNr.Time, (long)tloc);
    }

    /// <summary>nanosleep(req, rem): the remaining time is written on interruption.</summary>
    public static long Nanosleep(in SyscallContext c) =>
        Sys.Call(HostNr.Nanosleep, (long)c.In(c.A0, TimespecSize), (long)c.OutOrNull(c.A1, TimespecSize));

    /// <summary>clock_nanosleep(clock, flags, req, rem): the raw syscall returns -errno (the libc function returns it positive).</summary>
    public static long ClockNanosleep(in SyscallContext c) =>
        Sys.Call(HostNr.ClockNanosleep, (long)c.A0, (long)c.A1, (long)c.In(c.A2, TimespecSize), (long)c.OutOrNull(c.A3, TimespecSize));
}
