using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>read/write and their positioned and vectored forms, plus lseek: the hot I/O path, zero-copy and allocation-free.</summary>
/// <remarks>Guest fds are host fds, and the data moves directly between the host kernel and guest memory.</remarks>
public static unsafe class ReadWriteSyscalls
{
    public static long Read(in SyscallContext c)
    {
        ulong n = c.Buffer(c.A1, c.A2, true, out byte* buf);
        return Sys.Call(HostNr.Read, (long)c.A0, (long)buf, (long)n);
    }

    public static long Write(in SyscallContext c)
    {
        ulong n = c.Buffer(c.A1, c.A2, false, out byte* buf);
        return SignalSendSyscalls.PipeCheck(c, Sys.Call(HostNr.Write, (long)c.A0, (long)buf, (long)n));
    }

    public static long Pread64(in SyscallContext c)
    {
        ulong n = c.Buffer(c.A1, c.A2, true, out byte* buf);
        return Sys.Call(HostNr.Pread64, (long)c.A0, (long)buf, (long)n, (long)c.A3);
    }

    public static long Pwrite64(in SyscallContext c)
    {
        ulong n = c.Buffer(c.A1, c.A2, false, out byte* buf);
        return SignalSendSyscalls.PipeCheck(c, Sys.Call(HostNr.Pwrite64, (long)c.A0, (long)buf, (long)n, (long)c.A3));
    }

    public static long Lseek(in SyscallContext c) => Sys.Call(HostNr.Lseek, (long)c.A0, (long)c.A1, (long)c.A2);

    public static long Readv(in SyscallContext c) => Vectored(c, HostNr.Readv, true);

    public static long Writev(in SyscallContext c) => Vectored(c, HostNr.Writev, false);

    // preadv/pwritev take the offset split in two longs; on x86-64 the low one carries all 64 bits and the
    // kernel ignores the high one, so both are passed on unchanged.
    public static long Preadv(in SyscallContext c) => Vectored(c, HostNr.Preadv, true);

    public static long Pwritev(in SyscallContext c) => Vectored(c, HostNr.Pwritev, false);

    public static long Preadv2(in SyscallContext c) => Vectored(c, HostNr.Preadv2, true);

    public static long Pwritev2(in SyscallContext c) => Vectored(c, HostNr.Pwritev2, false);

    /// <summary>Any of the vectored calls: (fd, iov, iovcnt, [pos_l, pos_h, [flags]]), the vector translated on the stack.</summary>
    static long Vectored(in SyscallContext c, int hostNr, bool read)
    {
        if (c.A2 > Iovecs.Max) return -Errno.EINVAL;
        ulong* iov = stackalloc ulong[2 * (int)Math.Max(1, c.A2)];
        long n = Iovecs.Translate(c, c.A1, c.A2, read, iov);
        if (n < 0) return n;
        long r = Sys.Call(hostNr, (long)c.A0, (long)iov, n, (long)c.A3, (long)c.A4, (long)c.A5);
        return read ? r : SignalSendSyscalls.PipeCheck(c, r);
    }
}
