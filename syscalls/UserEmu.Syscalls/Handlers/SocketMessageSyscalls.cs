using System.Runtime.InteropServices;
using UserEmu.Memory;
using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>sendmsg, recvmsg, sendmmsg, recvmmsg: struct msghdr translated field by field, with its iovecs, address and ancillary data.</summary>
/// <remarks>
/// The multi-message calls are the kernel's own loops over one message at a time (MSG_WAITFORONE, the recvmmsg
/// timeout checked between messages, a count returned once any message went through).
/// </remarks>
public static unsafe class SocketMessageSyscalls
{
    const int MSG_DONTWAIT = 0x40, MSG_OOB = 1, MSG_WAITFORONE = 0x10000;
    const int MsgLenOffset = 56, MmsghdrSize = 64;
    const int CLOCK_MONOTONIC = 1;

    /// <summary>The guest's struct msghdr (x86-64: 56 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    struct GuestMsghdr
    {
        public ulong Name;
        public uint NameLen;
        public ulong Iov;
        public ulong IovLen;
        public ulong Control;
        public ulong ControlLen;
        public int Flags;
    }

    /// <summary>The host's struct msghdr, pointing at host copies and at guest memory in place.</summary>
    [StructLayout(LayoutKind.Sequential)]
    struct HostMsghdr
    {
        public byte* Name;
        public int NameLen;
        public ulong* Iov;
        public ulong IovLen;
        public byte* Control;
        public ulong ControlLen;
        public int Flags;
    }

    public static long Sendmsg(in SyscallContext c)
    {
        int flags = (int)c.A2;
        return SocketSyscalls.SendResult(c, SendOne(c, (long)c.A0, c.A1, flags, out _), flags);
    }

    public static long Recvmsg(in SyscallContext c) => RecvOne(c, (long)c.A0, c.A1, (int)c.A2);

    /// <summary>sendmmsg(fd, vec, vlen, flags): stops at the first error or partial send; an error counts only if nothing was sent.</summary>
    public static long Sendmmsg(in SyscallContext c)
    {
        long fd = (long)c.A0;
        uint vlen = Math.Min((uint)c.A2, (uint)Iovecs.Max);
        int flags = (int)c.A3;
        long err = SocketSyscalls.FdErrorOr(fd, 0);
        if (err < 0) return err;
        int datagrams = 0;
        ulong entry = c.A1;
        while (datagrams < vlen)
        {
            err = SocketSyscalls.SendResult(c, SendOne(c, fd, entry, flags, out ulong total), flags);
            if (err < 0) break;
            if (!Put(c, entry + MsgLenOffset, (uint)err))
            {
                err = -Errno.EFAULT;
                break;
            }
            entry += MmsghdrSize;
            datagrams++;
            if ((ulong)err < total) break;
            err = 0;
        }
        return datagrams != 0 ? datagrams : err;
    }

    /// <summary>recvmmsg(fd, vec, vlen, flags, timeout): the timeout (optional) is checked after each message and written back.</summary>
    public static long Recvmmsg(in SyscallContext c)
    {
        long fd = (long)c.A0;
        uint vlen = Math.Min((uint)c.A2, (uint)Iovecs.Max);
        int flags = (int)c.A3;
        long* ts = stackalloc long[2];
        long end = 0;
        if (c.A4 != 0)
        {
            byte* t = c.In(c.A4, 16);
            long sec = *(long*)t, nsec = *(long*)(t + 8);
            if (sec < 0 || (ulong)nsec >= 1_000_000_000) return -Errno.EINVAL;
            end = Now() + Math.Min(sec, long.MaxValue / 2_000_000_000) * 1_000_000_000 + nsec;
        }
        long err = SocketSyscalls.FdErrorOr(fd, 0);
        if (err < 0) return err;
        int datagrams = 0;
        ulong entry = c.A1;
        while (datagrams < vlen)
        {
            err = RecvOne(c, fd, entry, flags & ~MSG_WAITFORONE, out int msgFlags);
            if (err < 0) break;
            if (!Put(c, entry + MsgLenOffset, (uint)err))
            {
                err = -Errno.EFAULT;
                break;
            }
            err = 0;
            entry += MmsghdrSize;
            datagrams++;
            if ((flags & MSG_WAITFORONE) != 0) flags |= MSG_DONTWAIT;
            if (c.A4 != 0)
            {
                long left = end - Now();
                ts[0] = Math.Max(left, 0) / 1_000_000_000;
                ts[1] = Math.Max(left, 0) % 1_000_000_000;
                if (left <= 0) break;
            }
            if ((msgFlags & MSG_OOB) != 0) break;
        }
        if (err != 0 && datagrams == 0) return err;
        if (datagrams > 0 && c.A4 != 0)
        {
            if (!Put(c, c.A4, ts[0]) || !Put(c, c.A4 + 8, ts[1])) return -Errno.EFAULT;
        }
        return datagrams;
    }

    /// <summary>One sendmsg: the fd is checked before the message header, as in the kernel.</summary>
    /// <param name="total">The bytes the message carries, to tell a partial send.</param>
    static long SendOne(in SyscallContext c, long fd, ulong msgAddr, int flags, out ulong total)
    {
        total = 0;
        byte* name = stackalloc byte[SockaddrCodec.StorageSize];
        HostMsghdr h = default;
        long err = ReadHeader(c, fd, msgAddr, name, toHost: true, ref h, out var m);
        if (err < 0) return err;
        ulong* iov = stackalloc ulong[2 * (int)Math.Max(1, m.IovLen)];
        long n = Iovecs.Translate(c, m.Iov, m.IovLen, false, iov);
        if (n < 0) return SocketSyscalls.FdErrorOr(fd, n);
        h.Iov = iov;
        h.IovLen = (ulong)n;
        for (long k = 0; k < n; k++) total += iov[2 * k + 1];
        if (m.ControlLen > int.MaxValue || m.ControlLen > ControlMessages.MaxSend) return SocketSyscalls.FdErrorOr(fd, -Errno.ENOBUFS);
        byte* control = null;
        try
        {
            if (m.ControlLen > 0)
            {
                byte* guest = c.In(m.Control, m.ControlLen);
                control = ControlMessages.Alloc(m.ControlLen);
                ControlMessages.ToHost(guest, m.ControlLen, control);
                h.Control = control;
                h.ControlLen = m.ControlLen;
            }
            return SocketSyscalls.Interrupted(fd, Sys.Call(HostNr.Sendmsg, fd, (long)&h, flags), receive: false);
        }
        catch (GuestFaultException)
        {
            return SocketSyscalls.FdErrorOr(fd, -Errno.EFAULT);
        }
        finally
        {
            if (control != null) ControlMessages.Free(control);
        }
    }

    static long RecvOne(in SyscallContext c, long fd, ulong msgAddr, int flags) => RecvOne(c, fd, msgAddr, flags, out _);

    /// <summary>
    /// One recvmsg: after the data, the source address (msg_name, msg_namelen), msg_flags and the ancillary data with
    /// its length are written back to the guest's header.
    /// </summary>
    static long RecvOne(in SyscallContext c, long fd, ulong msgAddr, int flags, out int msgFlags)
    {
        msgFlags = 0;
        byte* name = stackalloc byte[SockaddrCodec.StorageSize];
        HostMsghdr h = default;
        long err = ReadHeader(c, fd, msgAddr, name, toHost: false, ref h, out var m);
        if (err < 0) return err;
        ulong* iov = stackalloc ulong[2 * (int)Math.Max(1, m.IovLen)];
        long n = Iovecs.Translate(c, m.Iov, m.IovLen, true, iov);
        if (n < 0) return SocketSyscalls.FdErrorOr(fd, n);
        h.Iov = iov;
        h.IovLen = (ulong)n;
        // The kernel writes ancillary data only when there is some: an unwritable msg_control is no room (MSG_CTRUNC), not EFAULT.
        ulong room = Math.Min(m.ControlLen, ControlMessages.MaxReceive);
        if (room > 0) room = c.AccessibleLength(m.Control, room, PageFlags.Write);
        byte* control = null;
        try
        {
            byte* guestControl = null;
            if (room > 0)
            {
                guestControl = c.Out(m.Control, room);
                control = ControlMessages.Alloc(room);
                h.Control = control;
                h.ControlLen = room;
            }
            long r = Sys.Call(HostNr.Recvmsg, fd, (long)&h, flags);
            if (r < 0) return SocketSyscalls.Interrupted(fd, r, receive: true);
            msgFlags = h.Flags;
            if (m.Name != 0)
            {
                int e = SockaddrCodec.ToGuest(c, name, h.Name != null ? h.NameLen : 0, m.Name, msgAddr + 8);
                if (e < 0) return e;
            }
            c.Write(msgAddr + 48, h.Flags);
            if (room > 0) ControlMessages.ToGuest(control, h.ControlLen, guestControl);
            c.Write(msgAddr + 40, room > 0 ? h.ControlLen : 0UL);
            return r;
        }
        catch (GuestFaultException)
        {
            return SocketSyscalls.FdErrorOr(fd, -Errno.EFAULT);
        }
        finally
        {
            if (control != null) ControlMessages.Free(control);
        }
    }

    /// <summary>
    /// The guest's msghdr and its msg_name, with the kernel's checks in its order (header EFAULT, name, iovec count);
    /// an error is already the fd's own if the fd is bad.
    /// </summary>
    static long ReadHeader(in SyscallContext c, long fd, ulong msgAddr, byte* name, bool toHost, ref HostMsghdr h, out GuestMsghdr m)
    {
        m = default;
        try
        {
            m = c.Read<GuestMsghdr>(msgAddr);
        }
        catch (GuestFaultException)
        {
            return SocketSyscalls.FdErrorOr(fd, -Errno.EFAULT);
        }
        long err = Name(c, m, name, toHost, ref h);
        if (err < 0) return SocketSyscalls.FdErrorOr(fd, err);
        if (m.IovLen > Iovecs.Max) return SocketSyscalls.FdErrorOr(fd, -Errno.EMSGSIZE);
        return 0;
    }

    /// <summary>
    /// msg_name as the kernel takes it: NULL or a zero length means none, a negative length is EINVAL, a longer one is
    /// cut to sockaddr_storage. A send translates the address now; a receive gets room for the host's.
    /// </summary>
    static long Name(in SyscallContext c, in GuestMsghdr m, byte* buf, bool toHost, ref HostMsghdr h)
    {
        int len = m.Name == 0 ? 0 : (int)m.NameLen;
        if (len < 0) return -Errno.EINVAL;
        len = Math.Min(len, SockaddrCodec.StorageSize);
        if (len == 0) return 0;
        if (toHost)
        {
            int r = SockaddrCodec.ToHost(c, m.Name, (ulong)len, buf);
            if (r < 0) return r;
            len = r;
        }
        else len = SockaddrCodec.StorageSize;
        h.Name = buf;
        h.NameLen = len;
        return 0;
    }

    static bool Put<T>(in SyscallContext c, ulong addr, T value) where T : unmanaged
    {
        try
        {
            c.Write(addr, value);
            return true;
        }
        catch (GuestFaultException)
        {
            return false;
        }
    }

    static long Now()
    {
        long* ts = stackalloc long[2];
        Sys.ClockGettime(CLOCK_MONOTONIC, ts);
        return ts[0] * 1_000_000_000 + ts[1];
    }
}
