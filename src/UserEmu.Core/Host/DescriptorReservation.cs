using System.Runtime.InteropServices;

namespace UserEmu.Host;

/// <summary>Placeholders on the free low descriptor numbers before a host exec that starts a .NET runtime, so its files land above the guest's.</summary>
/// <remarks>
/// Shared by the emulator (a guest's execve, EmulatorFds) and the native launcher (src/UserEmu.Launcher), which
/// compiles this file in: it uses libc and nothing of the emulator.
/// </remarks>
static unsafe partial class DescriptorReservation
{
    /// <summary>Descriptors below this are the guest's in a started or exec'd emulator.</summary>
    public const int Top = 64;
    const int F_GETFD = 1, FD_CLOEXEC = 1, O_PATH = 0x200000, SysOpen = 2, SysFcntl = 72;

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

    /// <summary>Closes the placeholders again (the exec failed).</summary>
    public static void Release(List<int> placeholders)
    {
        foreach (int fd in placeholders) close(fd);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, long a0, long a1, long a2);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int dup3(int oldfd, int newfd, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
