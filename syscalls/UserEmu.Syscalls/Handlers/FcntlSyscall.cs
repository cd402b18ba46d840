using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>fcntl: every command the kernel knows, with its third argument translated by what it is (value or struct).</summary>
public static unsafe class FcntlSyscall
{
    public const int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_GETLK = 5, F_SETLK = 6, F_SETLKW = 7,
        F_SETOWN = 8, F_GETOWN = 9, F_SETSIG = 10, F_GETSIG = 11, F_SETOWN_EX = 15, F_GETOWN_EX = 16, F_GETOWNER_UIDS = 17,
        F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_OFD_SETLKW = 38, F_SETLEASE = 1024, F_GETLEASE = 1025, F_NOTIFY = 1026,
        F_DUPFD_QUERY = 1027, F_CREATED_QUERY = 1028, F_DUPFD_CLOEXEC = 1030, F_SETPIPE_SZ = 1031, F_GETPIPE_SZ = 1032,
        F_ADD_SEALS = 1033, F_GET_SEALS = 1034, F_GET_RW_HINT = 1035, F_SET_RW_HINT = 1036, F_GET_FILE_RW_HINT = 1037,
        F_SET_FILE_RW_HINT = 1038;

    /// <summary>struct flock on x86-64: type, whence (shorts), start, len (longs), pid; 32 bytes with padding.</summary>
    const int FlockSize = 32;

    /// <summary>
    /// How the third argument of a command is used: size -1 is a plain value, 0 an unknown command, otherwise a struct
    /// of that size that the kernel reads, or also writes (<c>Written</c>; writable guest pages are readable too).
    /// </summary>
    static (int Size, bool Written) ArgOf(int cmd) => cmd switch
    {
        F_GETLK or F_OFD_GETLK => (FlockSize, true),
        F_SETLK or F_SETLKW or F_OFD_SETLK or F_OFD_SETLKW => (FlockSize, false),
        F_GETOWN_EX or F_GETOWNER_UIDS or F_GET_RW_HINT or F_GET_FILE_RW_HINT => (8, true),
        F_SETOWN_EX or F_SET_RW_HINT or F_SET_FILE_RW_HINT => (8, false),
        F_DUPFD or F_GETFD or F_SETFD or F_GETFL or F_SETFL or F_SETOWN or F_GETOWN or F_SETSIG or F_GETSIG or
        F_SETLEASE or F_GETLEASE or F_NOTIFY or F_DUPFD_QUERY or F_CREATED_QUERY or F_DUPFD_CLOEXEC or F_SETPIPE_SZ or
        F_GETPIPE_SZ or F_ADD_SEALS or F_GET_SEALS => (-1, false),
        _ => (0, false),
    };

    public static long Fcntl(in SyscallContext c)
    {
        int cmd = (int)c.A1;
        var (size, written) = ArgOf(cmd);
        if (size == 0) return -Errno.EINVAL; // an unknown command, as the kernel answers
        long arg = (long)c.A2;
        if (size > 0) arg = (long)(written ? c.Out(c.A2, (ulong)size) : c.In(c.A2, (ulong)size));
        return Sys.Call(HostNr.Fcntl, (long)c.A0, cmd, arg);
    }
}
