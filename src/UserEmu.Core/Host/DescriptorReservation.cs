using System.Runtime.InteropServices;

namespace UserEmu.Host;

/// <summary>Placeholders on the free low descriptor numbers before a .NET runtime opens its files (a host exec, or a NativeAOT engine's first start), so they land above the guest's.</summary>
/// <remarks>
/// Shared by the emulator (a guest's execve and a NativeAOT engine's first start, EmulatorFds) and the launcher of a
/// JIT engine (src/UserEmu.Launcher), which compiles this file in: it uses libc and nothing of the emulator.
/// </remarks>
static unsafe partial class DescriptorReservation
{
    /// <summary>
    /// Descriptors below this are the guest's in a started or exec'd emulator: 64, or half the soft RLIMIT_NOFILE where
    /// that is lower, since the emulator's own descriptors go above and must fit under the limit too (with `ulimit -n
    /// 32` the placeholders took every number the limit allows, and the runtime's first open failed).
    /// </summary>
    public static readonly int Top = TopFor(SoftDescriptorLimit());
    const int F_GETFD = 1, FD_CLOEXEC = 1, O_PATH = 0x200000, SysOpen = 2, SysFcntl = 72, SysPrlimit64 = 302, RLIMIT_NOFILE = 7;
    const int SysUnshare = 272, CLONE_FILES = 0x400, F_DUPFD_CLOEXEC = 1030, O_CLOEXEC = 0x80000;
    /// <summary>The descriptor table size <see cref="GrowTableForExec"/> asks for: the runtime's ~60-90 descriptors above <see cref="Top"/> (past 128 with -strace's assemblies), and room for the guest.</summary>
    internal const int TableSize = 1024;

    /// <summary>The reserved range for soft descriptor limit <paramref name="soft"/>.</summary>
    static int TopFor(long soft) => (int)Math.Clamp(soft / 2, 3, 64);

    static long SoftDescriptorLimit()
    {
        ulong* limits = stackalloc ulong[2];
        return syscall(SysPrlimit64, 0, RLIMIT_NOFILE, 0, (long)limits) == 0 ? (long)Math.Min(limits[0], long.MaxValue) : 1024;
    }

    /// <summary>Whether <paramref name="fd"/> is open and survives an exec (no close-on-exec flag).</summary>
    public static bool SurvivesExec(int fd)
    {
        long flags = syscall(SysFcntl, fd, F_GETFD, 0);
        return flags >= 0 && (flags & FD_CLOEXEC) == 0;
    }

    /// <summary>
    /// Puts an O_PATH descriptor of /dev/null on every number in 3..<see cref="Top"/>-1 that <paramref name="keep"/>
    /// rejects (free ones, and open ones the exec will close); returns the numbers now holding a placeholder.
    /// </summary>
    public static List<int> Fill(Predicate<int> keep)
    {
        var placeholders = new List<int>();
        int devnull;
        fixed (byte* path = "/dev/null\0"u8) devnull = (int)syscall(SysOpen, (long)path, O_PATH, 0);
        if (devnull < 0) return placeholders;
        for (int fd = 3; fd < Top; fd++)
        {
            if (fd == devnull || keep(fd)) continue;
            if (dup3(devnull, fd, 0) == fd) placeholders.Add(fd);
        }
        if (devnull >= Top) close(devnull);
        else placeholders.Add(devnull); // it sits in the reserved range itself
        return placeholders;
    }

    /// <summary>
    /// Just before an execve, in a process that exits or execs either way: gives this thread a private descriptor
    /// table and grows it to <see cref="TableSize"/> entries, a size the exec'd program keeps.
    /// </summary>
    /// <remarks>
    /// Growing the table of a process with several threads waits for an RCU grace period in the kernel
    /// (expand_fdtable's synchronize_rcu): 10-20 ms here, paid by the emulator's runtime when its assemblies took
    /// descriptor 128 (a quarter of a `busybox true`). A table with one user grows at once, and execve keeps it whole.
    /// </remarks>
    public static void GrowTableForExec()
    {
        if (syscall(SysUnshare, CLONE_FILES, 0, 0) != 0) return;
        long devnull;
        fixed (byte* path = "/dev/null\0"u8) devnull = syscall(SysOpen, (long)path, O_PATH | O_CLOEXEC, 0);
        if (devnull < 0) return;
        long fd = syscall(SysFcntl, devnull, F_DUPFD_CLOEXEC, TableSize - 1);
        if (fd < 0) fd = syscall(SysFcntl, devnull, F_DUPFD_CLOEXEC, TableSize / 4 - 1); // a lower RLIMIT_NOFILE
        if (fd >= 0) close((int)fd);
        close((int)devnull);
    }

    /// <summary>Closes the placeholders again (the exec failed).</summary>
    public static void Release(List<int> placeholders)
    {
        foreach (int fd in placeholders) close(fd);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, long a0, long a1, long a2);

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, long a0, long a1, long a2, long a3);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int dup3(int oldfd, int newfd, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
