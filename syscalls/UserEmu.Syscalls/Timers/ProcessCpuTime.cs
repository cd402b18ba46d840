using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Timers;

/// <summary>The CPU time the emulator's process has used, in Stopwatch ticks: the clocks of the CPU-time itimers.</summary>
/// <remarks>The host process's, so it includes the emulator's own threads (the native tier's compile thread): a guest
/// run natively would have used less, as its translated code runs slower.</remarks>
static unsafe class ProcessCpuTime
{
    const int CLOCK_PROCESS_CPUTIME_ID = 2, RUSAGE_SELF = 0, RusageSize = 144;

    /// <summary>User and system time (CLOCK_PROCESS_CPUTIME_ID).</summary>
    public static long Ticks()
    {
        long* ts = stackalloc long[2];
        Sys.ClockGettime(CLOCK_PROCESS_CPUTIME_ID, ts);
        return GuestTimer.NsToTicks(ts[0] * 1_000_000_000 + ts[1]);
    }

    /// <summary>User time only (getrusage's ru_utime, a timeval first in struct rusage).</summary>
    public static long UserTicks()
    {
        long* ru = stackalloc long[RusageSize / 8];
        Sys.Call(HostNr.Getrusage, RUSAGE_SELF, (long)ru);
        return GuestTimer.NsToTicks(ru[0] * 1_000_000_000 + ru[1] * 1000);
    }
}
