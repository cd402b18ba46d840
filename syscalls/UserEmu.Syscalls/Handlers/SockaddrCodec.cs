using UserEmu.Memory;

namespace UserEmu.Syscalls.Handlers;

/// <summary>
/// Guest struct sockaddr ↔ host struct sockaddr, field by field for each family the emulator opens sockets of, with
/// the kernel's length rules (move_addr_to_kernel / move_addr_to_user: EINVAL, EFAULT, truncation, the real length written back).
/// </summary>
/// <remarks>
/// The guest layouts are the x86-64 kernel's: family (u16) first, ports and IPv4/IPv6 addresses in network order,
/// netlink ids in host order. Each field is read from the guest bytes and written at its host offset; the bytes the
/// guest did not supply stay zero, and the host gets the guest's length so that it applies its own per-family checks.
/// </remarks>
public static unsafe class SockaddrCodec
{
    /// <summary>sizeof(struct sockaddr_storage): the most the kernel copies either way.</summary>
    public const int StorageSize = 128;
    public const int AF_UNSPEC = 0, AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16;
    const int SunPathOffset = 2, SunPathSize = 108;

    /// <summary>Whether sockets of <paramref name="family"/> get their addresses translated (the families socket() accepts).</summary>
    public static bool Translates(int family) => family is AF_UNIX or AF_INET or AF_INET6 or AF_NETLINK;

    /// <summary>
    /// move_addr_to_kernel: the guest's (addr, len) into <paramref name="host"/> (<see cref="StorageSize"/> bytes).
    /// An AF_UNIX path that exists under the -L sysroot is redirected there, as other guest paths are.
    /// </summary>
    /// <returns>The host length, or -EINVAL / -EFAULT.</returns>
    public static int ToHost(in SyscallContext c, ulong addr, ulong lenArg, byte* host)
    {
        int len = (int)lenArg; // the kernel's addrlen is an int
        if (len < 0 || len > StorageSize) return -Errno.EINVAL;
        new Span<byte>(host, StorageSize).Clear();
        if (len == 0) return 0;
        byte* g;
        try
        {
            g = c.In(addr, (ulong)len);
        }
        catch (GuestFaultException)
        {
            return -Errno.EFAULT;
        }
        // Work on a zero-padded copy so each field reads as the kernel would see it in its sockaddr_storage.
        byte* guest = stackalloc byte[StorageSize];
        new Span<byte>(guest, StorageSize).Clear();
        new ReadOnlySpan<byte>(g, len).CopyTo(new Span<byte>(guest, len));
        ushort family = *(ushort*)guest;
        *(ushort*)host = family;
        switch (family)
        {
            case AF_INET or AF_UNSPEC:
                // sin_port and sin_addr in network order; AF_UNSPEC carries them too (bind's INADDR_ANY compatibility).
                Copy(guest, host, 2, 2);
                Copy(guest, host, 4, 4);
                break;
            case AF_INET6:
                Copy(guest, host, 2, 2);                                    // sin6_port
                *(uint*)(host + 4) = *(uint*)(guest + 4);                   // sin6_flowinfo (network order, opaque)
                Copy(guest, host, 8, 16);                                   // sin6_addr
                *(uint*)(host + 24) = *(uint*)(guest + 24);                 // sin6_scope_id (host order)
                break;
            case AF_NETLINK:
                *(uint*)(host + 4) = *(uint*)(guest + 4);                   // nl_pid
                *(uint*)(host + 8) = *(uint*)(guest + 8);                   // nl_groups
                break;
            case AF_UNIX:
                return UnixToHost(c, guest, len, host);
            default:
                // Families the emulator opens no sockets of: sa_data is passed as given, and the host rejects it.
                Copy(guest, host, 2, len - 2);
                break;
        }
        return len;
    }

    /// <summary>sun_path: a path (used from the sysroot when it exists there), an abstract name (leading NUL), or unnamed (no path).</summary>
    static int UnixToHost(in SyscallContext c, byte* guest, int len, byte* host)
    {
        int pathLen = len - SunPathOffset;
        if (pathLen <= 0) return len;
        var path = new ReadOnlySpan<byte>(guest + SunPathOffset, pathLen);
        if (path[0] != 0)
        {
            int nul = path.IndexOf((byte)0);
            var name = nul >= 0 ? path[..nul] : path;
            int redirected = c.Kernel.Paths.RedirectUnderRoot(name, new Span<byte>(host + SunPathOffset, SunPathSize));
            if (redirected >= 0) return SunPathOffset + redirected + 1;
        }
        path.CopyTo(new Span<byte>(host + SunPathOffset, pathLen));
        return len;
    }

    /// <summary>
    /// move_addr_to_user: the host address of length <paramref name="hostLen"/> into the guest's (addr, *lenAddr):
    /// at most *lenAddr bytes are written, and *lenAddr receives the full length.
    /// </summary>
    /// <returns>0, -EINVAL (negative *lenAddr) or -EFAULT.</returns>
    public static int ToGuest(in SyscallContext c, byte* host, int hostLen, ulong addr, ulong lenAddr)
    {
        byte* guest = stackalloc byte[StorageSize];
        int full = Translate(host, Math.Clamp(hostLen, 0, StorageSize), guest);
        try
        {
            int len = c.Read<int>(lenAddr);
            if (len > full) len = full;
            if (len < 0) return -Errno.EINVAL;
            if (len > 0) new ReadOnlySpan<byte>(guest, len).CopyTo(new Span<byte>(c.Out(addr, (ulong)len), len));
            c.Write(lenAddr, full);
            return 0;
        }
        catch (GuestFaultException)
        {
            return -Errno.EFAULT;
        }
    }

    /// <summary>A host address in the guest layout; returns the guest length.</summary>
    static int Translate(byte* host, int len, byte* guest)
    {
        new Span<byte>(guest, StorageSize).Clear();
        if (len < 2)
        {
            new ReadOnlySpan<byte>(host, len).CopyTo(new Span<byte>(guest, len));
            return len;
        }
        ushort family = *(ushort*)host;
        *(ushort*)guest = family;
        switch (family)
        {
            case AF_INET when len >= 8:
                Copy(host, guest, 2, 2);
                Copy(host, guest, 4, 4);
                break;
            case AF_INET6 when len >= 24:
                Copy(host, guest, 2, 2);
                *(uint*)(guest + 4) = *(uint*)(host + 4);
                Copy(host, guest, 8, 16);
                if (len >= 28) *(uint*)(guest + 24) = *(uint*)(host + 24);
                break;
            case AF_NETLINK when len >= 12:
                *(uint*)(guest + 4) = *(uint*)(host + 4);
                *(uint*)(guest + 8) = *(uint*)(host + 8);
                break;
            default:
                // AF_UNIX's sun_path (name bytes), and short or unknown addresses: bytes after the family as they are.
                Copy(host, guest, 2, len - 2);
                break;
        }
        return len;
    }

    static void Copy(byte* from, byte* to, int offset, int count) =>
        new ReadOnlySpan<byte>(from + offset, count).CopyTo(new Span<byte>(to + offset, count));
}
