using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>setsockopt and getsockopt: option values are plain data used in place by length, except the few that are translated.</summary>
/// <remarks>
/// Integer, flag and plain-struct options (SOL_SOCKET, IPPROTO_IP/IPV6/TCP/UDP, SOL_NETLINK...) have the same
/// layout for the x86-64 guest as for the host and hold no pointers, so the host reads or writes the guest's bytes
/// directly (EFAULT, EINVAL and the written-back length are the host's). Translated: the timeouts (struct timeval),
/// SO_PEERCRED (struct ucred) and the classic BPF programs (whose struct holds a guest pointer). Options whose values
/// point into memory the emulator cannot hand over (netfilter tables, TCP zero-copy receive) are refused with
/// ENOPROTOOPT and one warning.
/// </remarks>
public static unsafe class SocketOptionSyscalls
{
    const int SOL_SOCKET = 1, IPPROTO_IP = 0, IPPROTO_TCP = 6, IPPROTO_IPV6 = 41;
    const int SO_PEERCRED = 17, SO_RCVTIMEO_OLD = 20, SO_SNDTIMEO_OLD = 21, SO_ATTACH_FILTER = 26,
        SO_ATTACH_REUSEPORT_CBPF = 51, SO_RCVTIMEO_NEW = 66, SO_SNDTIMEO_NEW = 67;
    const int TCP_ZEROCOPY_RECEIVE = 35;
    const int TimevalSize = 16, UcredSize = 12, FprogSize = 16, SockFilterSize = 8;

    /// <summary>setsockopt(fd, level, name, value, len).</summary>
    public static long Setsockopt(in SyscallContext c)
    {
        long fd = (long)c.A0;
        int level = (int)c.A1, name = (int)c.A2, len = (int)c.A4;
        if (len < 0) return SocketSyscalls.FdErrorOr(fd, -Errno.EINVAL);
        if (Refused(c, level, name)) return -Errno.ENOPROTOOPT;
        if (level == SOL_SOCKET && IsTimeout(name))
        {
            // struct timeval { long tv_sec; long tv_usec; }: the kernel reads exactly its size and rejects less.
            long* tv = stackalloc long[2];
            if (len >= TimevalSize)
            {
                byte* g = c.In(c.A3, TimevalSize);
                tv[0] = *(long*)g;
                tv[1] = *(long*)(g + 8);
            }
            return Sys.Call(HostNr.Setsockopt, fd, level, name, (long)tv, len);
        }
        if (level == SOL_SOCKET && name is SO_ATTACH_FILTER or SO_ATTACH_REUSEPORT_CBPF && len == FprogSize)
        {
            // struct sock_fprog { unsigned short len; struct sock_filter *filter; }: the filter pointer is the guest's.
            byte* g = c.In(c.A3, FprogSize);
            ushort count = *(ushort*)g;
            ulong filter = *(ulong*)(g + 8);
            byte* prog = stackalloc byte[FprogSize];
            new Span<byte>(prog, FprogSize).Clear();
            *(ushort*)prog = count;
            *(byte**)(prog + 8) = c.InOrNull(filter, (ulong)count * SockFilterSize);
            return Sys.Call(HostNr.Setsockopt, fd, level, name, (long)prog, len);
        }
        byte* value = c.In(c.A3, (ulong)len);
        return Sys.Call(HostNr.Setsockopt, fd, level, name, (long)value, len);
    }

    /// <summary>getsockopt(fd, level, name, value, len*): *len bytes at most are written, and *len gets what was.</summary>
    public static long Getsockopt(in SyscallContext c)
    {
        long fd = (long)c.A0;
        int level = (int)c.A1, name = (int)c.A2;
        if (Refused(c, level, name)) return -Errno.ENOPROTOOPT;
        int* lenp = (int*)c.Out(c.A4, sizeof(int));
        int len = *lenp;
        if (len < 0) return SocketSyscalls.FdErrorOr(fd, -Errno.EINVAL);
        if (level == SOL_SOCKET && (IsTimeout(name) || name == SO_PEERCRED))
        {
            // Fetched whole from the host, rebuilt field by field, then cut to the guest's length as the kernel cuts it.
            long* host = stackalloc long[2];
            int hostLen = TimevalSize;
            long r = Sys.Call(HostNr.Getsockopt, fd, level, name, (long)host, (long)&hostLen);
            if (r < 0) return r;
            byte* guest = stackalloc byte[TimevalSize];
            if (name == SO_PEERCRED)
            {
                int* cred = (int*)host;
                ((int*)guest)[0] = cred[0]; // pid: the guest's pids are the host's
                ((int*)guest)[1] = cred[1]; // uid
                ((int*)guest)[2] = cred[2]; // gid
                hostLen = Math.Min(hostLen, UcredSize);
            }
            else
            {
                ((long*)guest)[0] = host[0];
                ((long*)guest)[1] = host[1];
            }
            int n = Math.Min(len, hostLen);
            new ReadOnlySpan<byte>(guest, n).CopyTo(new Span<byte>(c.Out(c.A3, (ulong)n), n));
            *lenp = n;
            return 0;
        }
        byte* value = c.Out(c.A3, (ulong)len);
        return Sys.Call(HostNr.Getsockopt, fd, level, name, (long)value, (long)lenp);
    }

    static bool IsTimeout(int name) => name is SO_RCVTIMEO_OLD or SO_SNDTIMEO_OLD or SO_RCVTIMEO_NEW or SO_SNDTIMEO_NEW;

    /// <summary>Options whose values hold pointers the host cannot follow into guest memory: refused, with one warning.</summary>
    static bool Refused(in SyscallContext c, int level, int name)
    {
        bool refused = level switch
        {
            IPPROTO_IP => name is >= 64 and <= 71 or >= 96 and <= 99 or >= 128 and <= 131 or >= 1152 and <= 1160, // iptables, arptables, ebtables, ipvs
            IPPROTO_IPV6 => name is >= 64 and <= 69,                                                            // ip6tables
            IPPROTO_TCP => name == TCP_ZEROCOPY_RECEIVE,
            _ => false,
        };
        if (refused) c.Kernel.Warnings.Once($"sockopt {level}/{name}", $"useremu: socket option level {level} name {name} is not supported");
        return refused;
    }
}
