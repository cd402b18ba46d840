using System.Runtime.InteropServices;

namespace UserEmu.Bench.Host;

/// <summary>The libc calls the harness needs to start a child and collect its exit status and rusage.</summary>
/// <remarks>
/// System.Diagnostics.Process cannot report ru_maxrss, and polling /proc misses short peaks, so children are
/// started with posix_spawn (safe in a multi-threaded .NET process, unlike a raw fork) and reaped with wait4.
/// </remarks>
static unsafe partial class Posix
{
    public const int O_RDONLY = 0, O_WRONLY = 1, O_CREAT = 0x40, O_TRUNC = 0x200, O_CLOEXEC = 0x80000;
    public const short POSIX_SPAWN_SETPGROUP = 0x02, POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;
    public const int SIGKILL = 9, SIGPIPE = 13, EINTR = 4;
    public const short POLLIN = 0x1;
    const long SYS_pidfd_open = 434;

    // glibc x86-64 sizes are 80 (file actions), 336 (attributes) and 128 (sigset_t); the buffers are larger on purpose.
    public const int FileActionsSize = 256, SpawnAttrSize = 512, SigSetSize = 256;

    /// <summary>struct rusage on x86-64: two timevals then fourteen longs, ru_maxrss (KiB) first among them.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RUsage
    {
        public long UtimeSec, UtimeUsec, StimeSec, StimeUsec;
        public long MaxRssKb;
        public fixed long Rest[13];
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd { public int Fd; public short Events; public short Revents; }

    [LibraryImport("libc", SetLastError = true)]
    public static partial int posix_spawn(out int pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);
    [LibraryImport("libc")] public static partial int posix_spawn_file_actions_init(void* fa);
    [LibraryImport("libc")] public static partial int posix_spawn_file_actions_destroy(void* fa);
    [LibraryImport("libc")] public static partial int posix_spawn_file_actions_addopen(void* fa, int fd, byte* path, int oflag, int mode);
    [LibraryImport("libc")] public static partial int posix_spawnattr_init(void* attr);
    [LibraryImport("libc")] public static partial int posix_spawnattr_destroy(void* attr);
    [LibraryImport("libc")] public static partial int posix_spawnattr_setflags(void* attr, short flags);
    [LibraryImport("libc")] public static partial int posix_spawnattr_setpgroup(void* attr, int pgroup);
    [LibraryImport("libc")] public static partial int posix_spawnattr_setsigdefault(void* attr, void* sigset);
    [LibraryImport("libc")] public static partial int posix_spawnattr_setsigmask(void* attr, void* sigset);
    [LibraryImport("libc")] public static partial int sigemptyset(void* set);
    [LibraryImport("libc")] public static partial int sigaddset(void* set, int sig);
    [LibraryImport("libc", SetLastError = true)] public static partial int wait4(int pid, out int status, int options, out RUsage usage);
    [LibraryImport("libc", SetLastError = true)] public static partial int poll(PollFd* fds, ulong nfds, int timeoutMs);
    [LibraryImport("libc", SetLastError = true)] public static partial int kill(int pid, int sig);
    [LibraryImport("libc", SetLastError = true)] public static partial int close(int fd);
    [LibraryImport("libc", SetLastError = true)] private static partial long syscall(long number, long a1, long a2);

    /// <summary>A file descriptor that becomes readable when the child exits, so a wait can have a timeout without polling.</summary>
    public static int PidfdOpen(int pid) => (int)syscall(SYS_pidfd_open, pid, 0);
}
