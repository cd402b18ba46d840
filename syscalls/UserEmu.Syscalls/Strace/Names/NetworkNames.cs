namespace UserEmu.Syscalls.Strace.Names;

/// <summary>strace's names for sockets, polling and ioctl requests (x86-64 values).</summary>
public static class NetworkNames
{
    public const int AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16;

    public static readonly EnumNames Families = new([
        (0, "AF_UNSPEC"), (1, "AF_UNIX"), (2, "AF_INET"), (3, "AF_AX25"), (4, "AF_IPX"), (5, "AF_APPLETALK"), (6, "AF_NETROM"),
        (7, "AF_BRIDGE"), (8, "AF_ATMPVC"), (9, "AF_X25"), (10, "AF_INET6"), (11, "AF_ROSE"), (12, "AF_DECnet"), (13, "AF_NETBEUI"),
        (14, "AF_SECURITY"), (15, "AF_KEY"), (16, "AF_NETLINK"), (17, "AF_PACKET"), (18, "AF_ASH"), (19, "AF_ECONET"),
        (20, "AF_ATMSVC"), (21, "AF_RDS"), (22, "AF_SNA"), (23, "AF_IRDA"), (24, "AF_PPPOX"), (25, "AF_WANPIPE"), (26, "AF_LLC"),
        (27, "AF_IB"), (28, "AF_MPLS"), (29, "AF_CAN"), (30, "AF_TIPC"), (31, "AF_BLUETOOTH"), (32, "AF_IUCV"), (33, "AF_RXRPC"),
        (34, "AF_ISDN"), (35, "AF_PHONET"), (36, "AF_IEEE802154"), (37, "AF_CAIF"), (38, "AF_ALG"), (39, "AF_NFC"),
        (40, "AF_VSOCK"), (41, "AF_KCM"), (42, "AF_QIPCRTR"), (43, "AF_SMC"), (44, "AF_XDP"), (45, "AF_MCTP"),
    ], "AF_???", decimalUnknown: true);

    public static readonly EnumNames SocketTypes = new([
        (1, "SOCK_STREAM"), (2, "SOCK_DGRAM"), (3, "SOCK_RAW"), (4, "SOCK_RDM"), (5, "SOCK_SEQPACKET"), (6, "SOCK_DCCP"), (10, "SOCK_PACKET"),
    ], "SOCK_???");

    public static readonly FlagNames SocketTypeFlags = new([(0x80000, "SOCK_CLOEXEC"), (0x800, "SOCK_NONBLOCK")]);

    public static readonly EnumNames InetProtocols = new([
        (0, "IPPROTO_IP"), (1, "IPPROTO_ICMP"), (2, "IPPROTO_IGMP"), (6, "IPPROTO_TCP"), (17, "IPPROTO_UDP"), (41, "IPPROTO_IPV6"),
        (58, "IPPROTO_ICMPV6"), (132, "IPPROTO_SCTP"), (136, "IPPROTO_UDPLITE"), (255, "IPPROTO_RAW"), (262, "IPPROTO_MPTCP"),
    ], "IPPROTO_???", decimalUnknown: true);

    public static readonly EnumNames NetlinkProtocols = new([
        (0, "NETLINK_ROUTE"), (2, "NETLINK_USERSOCK"), (4, "NETLINK_SOCK_DIAG"), (9, "NETLINK_AUDIT"), (15, "NETLINK_KOBJECT_UEVENT"),
        (16, "NETLINK_GENERIC"),
    ], "NETLINK_???", decimalUnknown: true);

    public static readonly FlagNames MsgFlags = new([
        (1, "MSG_OOB"), (2, "MSG_PEEK"), (4, "MSG_DONTROUTE"), (8, "MSG_CTRUNC"), (0x10, "MSG_PROBE"), (0x20, "MSG_TRUNC"),
        (0x40, "MSG_DONTWAIT"), (0x80, "MSG_EOR"), (0x100, "MSG_WAITALL"), (0x200, "MSG_FIN"), (0x400, "MSG_SYN"),
        (0x800, "MSG_CONFIRM"), (0x1000, "MSG_RST"), (0x2000, "MSG_ERRQUEUE"), (0x4000, "MSG_NOSIGNAL"), (0x8000, "MSG_MORE"),
        (0x10000, "MSG_WAITFORONE"), (0x40000, "MSG_BATCH"), (0x4000000, "MSG_ZEROCOPY"), (0x20000000, "MSG_FASTOPEN"),
        (0x40000000, "MSG_CMSG_CLOEXEC"),
    ]);

    public static readonly EnumNames ShutdownHow = new([(0, "SHUT_RD"), (1, "SHUT_WR"), (2, "SHUT_RDWR")], "SHUT_???");

    public const int SOL_SOCKET = 1, SOL_TCP = 6;

    public static readonly EnumNames SockOptLevels = new([
        (0, "SOL_IP"), (1, "SOL_SOCKET"), (6, "SOL_TCP"), (17, "SOL_UDP"), (41, "SOL_IPV6"), (58, "SOL_ICMPV6"), (255, "SOL_RAW"),
        (263, "SOL_PACKET"), (270, "SOL_NETLINK"), (279, "SOL_ALG"),
    ], "SOL_???", decimalUnknown: true);

    public static readonly EnumNames SocketOptions = new([
        (1, "SO_DEBUG"), (2, "SO_REUSEADDR"), (3, "SO_TYPE"), (4, "SO_ERROR"), (5, "SO_DONTROUTE"), (6, "SO_BROADCAST"),
        (7, "SO_SNDBUF"), (8, "SO_RCVBUF"), (9, "SO_KEEPALIVE"), (10, "SO_OOBINLINE"), (11, "SO_NO_CHECK"), (12, "SO_PRIORITY"),
        (13, "SO_LINGER"), (14, "SO_BSDCOMPAT"), (15, "SO_REUSEPORT"), (16, "SO_PASSCRED"), (17, "SO_PEERCRED"),
        (18, "SO_RCVLOWAT"), (19, "SO_SNDLOWAT"), (20, "SO_RCVTIMEO_OLD"), (21, "SO_SNDTIMEO_OLD"), (25, "SO_BINDTODEVICE"),
        (30, "SO_ACCEPTCONN"), (32, "SO_SNDBUFFORCE"), (33, "SO_RCVBUFFORCE"), (38, "SO_PROTOCOL"), (39, "SO_DOMAIN"),
    ], "SO_???", decimalUnknown: true);

    public static readonly EnumNames TcpOptions = new([
        (1, "TCP_NODELAY"), (2, "TCP_MAXSEG"), (3, "TCP_CORK"), (4, "TCP_KEEPIDLE"), (5, "TCP_KEEPINTVL"), (6, "TCP_KEEPCNT"),
        (7, "TCP_SYNCNT"), (8, "TCP_LINGER2"), (9, "TCP_DEFER_ACCEPT"), (10, "TCP_WINDOW_CLAMP"), (11, "TCP_INFO"),
        (12, "TCP_QUICKACK"), (13, "TCP_CONGESTION"),
    ], "TCP_???", decimalUnknown: true);

    public static readonly FlagNames PollEvents = new([
        (0x1, "POLLIN"), (0x2, "POLLPRI"), (0x4, "POLLOUT"), (0x8, "POLLERR"), (0x10, "POLLHUP"), (0x20, "POLLNVAL"),
        (0x40, "POLLRDNORM"), (0x80, "POLLRDBAND"), (0x100, "POLLWRNORM"), (0x200, "POLLWRBAND"), (0x400, "POLLMSG"),
        (0x1000, "POLLREMOVE"), (0x2000, "POLLRDHUP"),
    ]);

    public static readonly EnumNames EpollOps = new([(1, "EPOLL_CTL_ADD"), (2, "EPOLL_CTL_DEL"), (3, "EPOLL_CTL_MOD")], "EPOLL_CTL_???");

    public static readonly FlagNames EpollEvents = new([
        (0x1, "EPOLLIN"), (0x2, "EPOLLPRI"), (0x4, "EPOLLOUT"), (0x8, "EPOLLERR"), (0x10, "EPOLLHUP"), (0x20, "EPOLLNVAL"),
        (0x40, "EPOLLRDNORM"), (0x80, "EPOLLRDBAND"), (0x100, "EPOLLWRNORM"), (0x200, "EPOLLWRBAND"), (0x400, "EPOLLMSG"),
        (0x2000, "EPOLLRDHUP"), (1UL << 28, "EPOLLEXCLUSIVE"), (1UL << 29, "EPOLLWAKEUP"), (1UL << 30, "EPOLLONESHOT"), (1UL << 31, "EPOLLET"),
    ]);

    /// <summary>The ioctl requests strace names on x86-64 that guests commonly issue (terminals and descriptors).</summary>
    public static readonly EnumNames IoctlRequests = new([
        (0x5401, "TCGETS"),
        // These three share their numbers with OSS timer requests; strace 6.1 names both.
        (0x5402, "SNDCTL_TMR_START or TCSETS"), (0x5403, "SNDCTL_TMR_STOP or TCSETSW"), (0x5404, "SNDCTL_TMR_CONTINUE or TCSETSF"), (0x5405, "TCGETA"), (0x5406, "TCSETA"),
        (0x5407, "TCSETAW"), (0x5408, "TCSETAF"), (0x5409, "TCSBRK"), (0x540A, "TCXONC"), (0x540B, "TCFLSH"), (0x540C, "TIOCEXCL"),
        (0x540D, "TIOCNXCL"), (0x540E, "TIOCSCTTY"), (0x540F, "TIOCGPGRP"), (0x5410, "TIOCSPGRP"), (0x5411, "TIOCOUTQ"),
        (0x5412, "TIOCSTI"), (0x5413, "TIOCGWINSZ"), (0x5414, "TIOCSWINSZ"), (0x5415, "TIOCMGET"), (0x5416, "TIOCMBIS"),
        (0x5417, "TIOCMBIC"), (0x5418, "TIOCMSET"), (0x541B, "FIONREAD"), (0x541C, "TIOCLINUX"), (0x541D, "TIOCCONS"),
        (0x5420, "TIOCPKT"), (0x5421, "FIONBIO"), (0x5422, "TIOCNOTTY"), (0x5423, "TIOCSETD"), (0x5424, "TIOCGETD"),
        (0x5429, "TIOCGSID"), (0x542A, "TCGETS2"), (0x542B, "TCSETS2"), (0x80045430, "TIOCGPTN"), (0x40045431, "TIOCSPTLCK"),
        (0x5441, "TIOCGPTPEER"), (0x5450, "FIONCLEX"), (0x5451, "FIOCLEX"), (0x5452, "FIOASYNC"), (0x5460, "FIOQSIZE"),
        (0x80086601, "FS_IOC_GETFLAGS"), (0x40086602, "FS_IOC_SETFLAGS"), (0x1260, "BLKGETSIZE"), (0x80081272, "BLKGETSIZE64"),
        (0x8912, "SIOCGIFCONF"), (0x8927, "SIOCGIFHWADDR"), (0x8933, "SIOCGIFINDEX"), (0x89a2, "SIOCGSKNS"),
    ]);

    static readonly string[] IocDirs = ["_IOC_NONE", "_IOC_WRITE", "_IOC_READ", "_IOC_READ|_IOC_WRITE"];

    /// <summary>An ioctl request strace has no name for, decoded as _IOC(dir, type, nr, size).</summary>
    public static void AppendIoctl(System.Text.StringBuilder sb, uint request)
    {
        if (IoctlRequests.TryGet(request, out var name))
        {
            sb.Append(name);
            return;
        }
        uint dir = request >> 30, size = (request >> 16) & 0x3fff, type = (request >> 8) & 0xff, nr = request & 0xff;
        if (dir == 0 && size == 0)
        {
            sb.Append($"0x{request:x}");
            return;
        }
        sb.Append("_IOC(").Append(IocDirs[dir]).Append($", 0x{type:x}, 0x{nr:x}, 0x{size:x})");
    }
}
