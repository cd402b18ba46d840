using UserEmu.Engine;
using UserEmu.Memory;
using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>
/// Sockets of the AF_UNIX, AF_INET, AF_INET6 and AF_NETLINK families: socket, socketpair, bind, listen, accept*,
/// connect, getsockname, getpeername, shutdown, sendto, recvfrom.
/// </summary>
/// <remarks>
/// Guest fds are host fds, so each call is the host's on the same descriptor; addresses go through
/// <see cref="SockaddrCodec"/> and data moves between the host kernel and guest memory in place. Blocking calls
/// (accept, connect, recv*) are interrupted by guest signals like read: the host returns EINTR and the bridge applies
/// the restart rule.
/// </remarks>
public static unsafe class SocketSyscalls
{
    const int SOCK_TYPE_MASK = 0xf, SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    const int HostSockNonblock = 0x800, HostSockCloexec = 0x80000;
    const int SOL_SOCKET = 1, SO_TYPE = 3, SO_RCVTIMEO = 20, SO_SNDTIMEO = 21;
    /// <summary>MSG_NOSIGNAL: a send on a broken connection gives EPIPE without SIGPIPE.</summary>
    internal const int MSG_NOSIGNAL = 0x4000;

    /// <summary>socket(family, type | flags, protocol).</summary>
    public static long Socket(in SyscallContext c)
    {
        int family = (int)c.A0, type = (int)c.A1;
        if (((type & ~SOCK_TYPE_MASK) & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return -Errno.EINVAL;
        if (!SockaddrCodec.Translates(family)) return UnsupportedFamily(c, family);
        return Sys.Call(HostNr.Socket, family, HostTypeFlags(type), (int)c.A2);
    }

    /// <summary>socketpair(family, type | flags, protocol, int sv[2]): a bad sv closes the new pair (EFAULT).</summary>
    public static long Socketpair(in SyscallContext c)
    {
        int family = (int)c.A0, type = (int)c.A1;
        if (((type & ~SOCK_TYPE_MASK) & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return -Errno.EINVAL;
        if (!SockaddrCodec.Translates(family)) return UnsupportedFamily(c, family);
        int* sv = stackalloc int[2];
        sv[0] = sv[1] = -1;
        long r = Sys.Call(HostNr.Socketpair, family, HostTypeFlags(type), (int)c.A2, (long)sv);
        // The kernel stores the two reserved numbers before it creates the sockets, so a failure (EOPNOTSUPP for
        // AF_INET...) still leaves them in sv, and an unwritable sv is EFAULT ahead of that failure.
        if (r < 0 && sv[0] < 0) return r;
        try
        {
            c.Write(c.A3, sv[0]);
            c.Write(c.A3 + 4, sv[1]);
            return r;
        }
        catch (GuestFaultException)
        {
            if (r == 0)
            {
                Sys.Call(HostNr.Close, sv[0]);
                Sys.Call(HostNr.Close, sv[1]);
            }
            return -Errno.EFAULT;
        }
    }

    /// <summary>bind(fd, addr, len): the fd is checked before the address, as in the kernel.</summary>
    public static long Bind(in SyscallContext c)
    {
        byte* addr = stackalloc byte[SockaddrCodec.StorageSize];
        int len = SockaddrCodec.ToHost(c, c.A1, c.A2, addr);
        if (len < 0) return FdErrorOr((long)c.A0, len);
        return Sys.Call(HostNr.Bind, (long)c.A0, (long)addr, len);
    }

    public static long Listen(in SyscallContext c) => Sys.Call(HostNr.Listen, (long)c.A0, (int)c.A1);

    /// <summary>connect(fd, addr, len): as for bind, the fd is checked before the address.</summary>
    public static long Connect(in SyscallContext c)
    {
        byte* addr = stackalloc byte[SockaddrCodec.StorageSize];
        int len = SockaddrCodec.ToHost(c, c.A1, c.A2, addr);
        if (len < 0) return FdErrorOr((long)c.A0, len);
        return Interrupted((long)c.A0, Sys.Call(HostNr.Connect, (long)c.A0, (long)addr, len), receive: false);
    }

    public static long Accept(in SyscallContext c) => Accept4(c, (long)c.A0, c.A1, c.A2, 0);

    public static long Accept4(in SyscallContext c) => Accept4(c, (long)c.A0, c.A1, c.A2, (int)c.A3);

    /// <summary>
    /// accept4: the peer's address is written after the connection is taken; if that write fails the new descriptor
    /// is closed and the error returned, as the kernel does.
    /// </summary>
    static long Accept4(in SyscallContext c, long fd, ulong addr, ulong lenAddr, int flags)
    {
        if ((flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return -Errno.EINVAL;
        byte* peer = stackalloc byte[SockaddrCodec.StorageSize];
        int peerLen = SockaddrCodec.StorageSize;
        long r = Sys.Call(HostNr.Accept4, fd, addr != 0 ? (long)peer : 0, addr != 0 ? (long)&peerLen : 0, HostTypeFlags(flags));
        if (r < 0) return Interrupted(fd, r, receive: true);
        if (addr == 0) return r;
        int err = SockaddrCodec.ToGuest(c, peer, peerLen, addr, lenAddr);
        if (err == 0) return r;
        Sys.Call(HostNr.Close, r);
        return err;
    }

    public static long Getsockname(in SyscallContext c) => Name(c, HostNr.Getsockname);

    public static long Getpeername(in SyscallContext c) => Name(c, HostNr.Getpeername);

    static long Name(in SyscallContext c, int hostNr)
    {
        byte* addr = stackalloc byte[SockaddrCodec.StorageSize];
        int len = SockaddrCodec.StorageSize;
        long r = Sys.Call(hostNr, (long)c.A0, (long)addr, (long)&len);
        return r < 0 ? r : SockaddrCodec.ToGuest(c, addr, len, c.A1, c.A2);
    }

    public static long Shutdown(in SyscallContext c) => Sys.Call(HostNr.Shutdown, (long)c.A0, (int)c.A1);

    /// <summary>sendto(fd, buf, len, flags, addr, addrlen): a NULL addr ignores addrlen.</summary>
    public static long Sendto(in SyscallContext c)
    {
        ulong n = c.Buffer(c.A1, c.A2, false, out byte* buf);
        byte* addr = stackalloc byte[SockaddrCodec.StorageSize];
        int len = 0;
        if (c.A4 != 0)
        {
            len = SockaddrCodec.ToHost(c, c.A4, c.A5, addr);
            if (len < 0) return FdErrorOr((long)c.A0, len);
        }
        int flags = (int)c.A3;
        long r = Sys.Call(HostNr.Sendto, (long)c.A0, (long)buf, (long)n, flags, c.A4 != 0 ? (long)addr : 0, len);
        return SendResult(c, Interrupted((long)c.A0, r, receive: false), flags);
    }

    /// <summary>recvfrom(fd, buf, len, flags, addr, addrlen*): the source address is written after the data is taken.</summary>
    public static long Recvfrom(in SyscallContext c)
    {
        ulong n = c.Buffer(c.A1, c.A2, true, out byte* buf);
        byte* addr = stackalloc byte[SockaddrCodec.StorageSize];
        int len = SockaddrCodec.StorageSize;
        bool want = c.A4 != 0;
        long r = Sys.Call(HostNr.Recvfrom, (long)c.A0, (long)buf, (long)n, (int)c.A3, want ? (long)addr : 0, want ? (long)&len : 0);
        if (r < 0) return Interrupted((long)c.A0, r, receive: true);
        if (!want) return r;
        int err = SockaddrCodec.ToGuest(c, addr, len, c.A4, c.A5);
        return err < 0 ? err : r;
    }

    /// <summary>
    /// A blocking call interrupted on a socket with a timeout (SO_RCVTIMEO for receives and accept, SO_SNDTIMEO for
    /// sends and connect) is the kernel's plain EINTR, not restarted even with SA_RESTART; ERESTARTNOHAND is the
    /// nearest rule the bridge has (EINTR once a handler runs, a restart otherwise).
    /// </summary>
    internal static long Interrupted(long fd, long r, bool receive)
    {
        if (r != -Errno.EINTR) return r;
        long* tv = stackalloc long[2];
        int len = 16;
        if (Sys.Call(HostNr.Getsockopt, fd, SOL_SOCKET, receive ? SO_RCVTIMEO : SO_SNDTIMEO, (long)tv, (long)&len) < 0) return r;
        return tv[0] != 0 || tv[1] != 0 ? -(long)SyscallRestart.UnlessHandler : r;
    }

    /// <summary>EPIPE from a send raises SIGPIPE unless the guest passed MSG_NOSIGNAL.</summary>
    internal static long SendResult(in SyscallContext c, long r, int flags) =>
        (flags & MSG_NOSIGNAL) != 0 ? r : SignalSendSyscalls.PipeCheck(c, r);

    /// <summary>The guest's SOCK_NONBLOCK / SOCK_CLOEXEC bits as the host's; the type and any unknown bits pass as they are.</summary>
    internal static long HostTypeFlags(int guest) =>
        (guest & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) | ((guest & SOCK_NONBLOCK) != 0 ? HostSockNonblock : 0) |
        ((guest & SOCK_CLOEXEC) != 0 ? HostSockCloexec : 0);

    /// <summary>
    /// The error the kernel's descriptor lookup gives (EBADF, ENOTSOCK) where it comes before reading the guest's
    /// arguments, else <paramref name="err"/>: asked of the host only once an argument has already failed.
    /// </summary>
    internal static long FdErrorOr(long fd, long err)
    {
        int value = 0, len = sizeof(int);
        long r = Sys.Call(HostNr.Getsockopt, fd, SOL_SOCKET, SO_TYPE, (long)&value, (long)&len);
        return r is -Errno.EBADF or -Errno.ENOTSOCK ? r : err;
    }

    static long UnsupportedFamily(in SyscallContext c, int family)
    {
        c.Kernel.Warnings.Once("socket family " + family, $"useremu: socket family {family} is not supported");
        return -Errno.EAFNOSUPPORT;
    }
}
