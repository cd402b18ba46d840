namespace UserEmu.Syscalls;

/// <summary>Linux errno values (asm-generic/errno-base.h and errno.h); handlers return them negated, as the kernel does.</summary>
public static class Errno
{
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, ENOEXEC = 8, EBADF = 9,
        ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, ENOTBLK = 15, EBUSY = 16, EEXIST = 17, EXDEV = 18,
        ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOTTY = 25, ETXTBSY = 26, EFBIG = 27,
        ENOSPC = 28, ESPIPE = 29, EROFS = 30, EMLINK = 31, EPIPE = 32, EDOM = 33, ERANGE = 34;

    public const int EDEADLK = 35, ENAMETOOLONG = 36, ENOLCK = 37, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, ENOMSG = 42,
        EIDRM = 43, ENODATA = 61, ETIME = 62, EOVERFLOW = 75, EILSEQ = 84, ENOTSOCK = 88, EMSGSIZE = 90, ENOPROTOOPT = 92, EOPNOTSUPP = 95,
        EAFNOSUPPORT = 97, EADDRINUSE = 98, ENOBUFS = 105, ETIMEDOUT = 110, ECONNREFUSED = 111, EALREADY = 114,
        EINPROGRESS = 115, ECANCELED = 125;
}
