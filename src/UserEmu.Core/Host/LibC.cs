using System.Runtime.InteropServices;

namespace UserEmu.Host;

/// <summary>Direct libc entry points that Mono.Posix does not cover or that sit on hot paths.</summary>
public static unsafe partial class LibC
{
    const string Lib = "libc";

    public const int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    public const int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000;
    public static readonly nint MAP_FAILED = -1;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int munmap(nint addr, nuint length);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int mprotect(nint addr, nuint length, int prot);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int madvise(nint addr, nuint length, int advice);

    public const int MADV_HUGEPAGE = 14, MADV_DODUMP = 17, MADV_POPULATE_WRITE = 23, MADV_COLLAPSE = 25;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int msync(nint addr, nuint length, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial long syscall(long number, long a0, long a1, long a2, long a3, long a4, long a5);

    /// <summary>
    /// Fills <paramref name="buffer"/> from the kernel's CSPRNG (getrandom(2)): the framework's RandomNumberGenerator
    /// would load OpenSSL (libssl, libcrypto and two assemblies, milliseconds of start-up) for 16 bytes of AT_RANDOM.
    /// </summary>
    public static void GetRandom(Span<byte> buffer)
    {
        const long Getrandom = 318, EINTR = 4;
        fixed (byte* p = buffer)
        {
            for (int done = 0; done < buffer.Length;)
            {
                long n = syscall(Getrandom, (long)(p + done), buffer.Length - done, 0, 0, 0, 0);
                if (n > 0) done += (int)n;
                else if (n < 0 && Marshal.GetLastPInvokeError() != EINTR) throw new IOException($"getrandom: errno {Marshal.GetLastPInvokeError()}");
            }
        }
    }

    /// <summary>
    /// Whether the 8 bytes at <paramref name="p"/> can be read without a fault: the kernel copies them, so a page past
    /// its file's end gives EFAULT here instead of SIGBUS.
    /// </summary>
    /// <remarks>
    /// rt_sigprocmask with an invalid <c>how</c> copies the new set from <paramref name="p"/> first (EFAULT if it
    /// cannot) and only then rejects <c>how</c> (EINVAL), changing nothing; unlike process_vm_readv, no sandbox
    /// forbids it.
    /// </remarks>
    public static bool IsReadable(byte* p)
    {
        const long RtSigprocmask = 14, InvalidHow = 0x7fff, EFAULT = 14;
        return syscall(RtSigprocmask, InvalidHow, (long)p, 0, 8, 0, 0) == 0 || Marshal.GetLastPInvokeError() != EFAULT;
    }

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int getpid();

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fork();

    [LibraryImport(Lib)]
    public static partial void _exit(int status);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int sigaction(int sig, void* act, void* oldact);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int sigprocmask(int how, ulong* set, ulong* oldset);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int dup3(int oldfd, int newfd, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int pipe2(int* fds, int flags);

    /// <summary>errno of the last call made with SetLastError (a Linux errno value).</summary>
    public static int Errno => Marshal.GetLastPInvokeError();
}
