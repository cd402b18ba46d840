using System.Runtime.InteropServices;

namespace UserEmu.Syscalls.Host;

/// <summary>Host system calls made by the syscall bridge: raw syscall(2) for kernel-ABI exactness, libc for vDSO clocks.</summary>
/// <remarks>
/// The host is x86-64 Linux, so a raw host syscall with guest pointers translated to host pointers gives the guest
/// exactly the kernel's structures and errno values. libc wrappers are avoided where they reshape the ABI
/// (stat, getdents, rlimit, clock_nanosleep's positive errno).
/// </remarks>
public static unsafe partial class Sys
{
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long RawSyscall(long number, long a0, long a1, long a2, long a3, long a4, long a5);

    /// <summary>Runs host syscall <paramref name="number"/>; returns its result or the negative errno, as the kernel does.</summary>
    public static long Call(long number, long a0 = 0, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0)
    {
        long r = RawSyscall(number, a0, a1, a2, a3, a4, a5);
        return r == -1 ? -Marshal.GetLastPInvokeError() : r;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static partial int LibcClockGettime(int clock, void* ts);

    [LibraryImport("libc", EntryPoint = "clock_getres", SetLastError = true)]
    private static partial int LibcClockGetres(int clock, void* ts);

    [LibraryImport("libc", EntryPoint = "gettimeofday", SetLastError = true)]
    private static partial int LibcGettimeofday(void* tv, void* tz);

    // The libc clocks go through the vDSO (no kernel entry): clock_gettime is the hottest time call guests make.
    public static long ClockGettime(int clock, void* ts) => LibcClockGettime(clock, ts) == 0 ? 0 : -Marshal.GetLastPInvokeError();

    public static long ClockGetres(int clock, void* ts) => LibcClockGetres(clock, ts) == 0 ? 0 : -Marshal.GetLastPInvokeError();

    public static long Gettimeofday(void* tv, void* tz) => LibcGettimeofday(tv, tz) == 0 ? 0 : -Marshal.GetLastPInvokeError();

    public static long P(void* p) => (long)p;
}
