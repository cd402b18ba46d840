using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>Waiting on descriptors: poll, ppoll, select, pselect6, with the guest's arrays and timeouts used in place.</summary>
/// <remarks>
/// The signal mask argument of ppoll and pselect6 is the guest's (emulated) mask, in force during the wait
/// (<see cref="WaitSignalMask"/>); the host waits without a mask change: guest signals are queued by the emulator,
/// not by the host kernel, so the host mask has nothing to unblock.
/// </remarks>
public static unsafe class PollSyscalls
{
    const ulong PollfdSize = 8, TimespecSize = 16, TimevalSize = 16, SigSetSize = 8;

    /// <summary>poll(fds, nfds, timeout): the pollfd array is read and its revents written.</summary>
    public static long Poll(in SyscallContext c)
    {
        byte* fds = c.Out(c.A0, (uint)c.A1 * PollfdSize);
        Span<int> hidden = stackalloc int[MaxHidden];
        int nh = HideEmulatorFds(fds, (uint)c.A1, hidden);
        long r = Sys.Call(HostNr.Poll, (long)fds, (long)(uint)c.A1, nh > 0 ? 0 : (long)c.A2);
        return nh > 0 ? InvalidAfterAll(fds, hidden[..nh], r) : r;
    }

    /// <summary>ppoll(fds, nfds, tsp, sigmask, sigsetsize): tsp (optional) is updated with the time left.</summary>
    public static long Ppoll(in SyscallContext c)
    {
        if (c.A3 != 0 && c.A4 != SigSetSize) return -Errno.EINVAL;
        byte* fds = c.Out(c.A0, (uint)c.A1 * PollfdSize);
        byte* tsp = c.OutOrNull(c.A2, TimespecSize);
        if (c.A3 != 0 && WaitSignalMask.Apply(c.Cpu, c.Mem.Read64(c.A3)) != 0) return -Errno.EINTR;
        Span<int> hidden = stackalloc int[MaxHidden];
        int nh = HideEmulatorFds(fds, (uint)c.A1, hidden);
        long* zero = stackalloc long[2] { 0, 0 };
        long r = Sys.Call(HostNr.Ppoll, (long)fds, (long)(uint)c.A1, nh > 0 ? (long)zero : (long)tsp, 0, (long)SigSetSize);
        if (nh > 0) r = InvalidAfterAll(fds, hidden[..nh], r);
        return c.A3 != 0 ? WaitSignalMask.Finish(c.Cpu, r) : r;
    }

    const int MaxHidden = 16;
    const short POLLNVAL = 0x20;

    // The emulator's descriptors are closed ones to the guest. Their entries get a negative fd (the host skips them)
    // and, after a poll that does not wait, POLLNVAL: a bad fd makes the kernel's poll return at once, counting it.
    static int HideEmulatorFds(byte* fds, uint n, Span<int> hidden)
    {
        if (!UserEmu.Host.EmulatorFds.Any) return 0;
        int count = 0;
        for (uint i = 0; i < n && count < hidden.Length; i++)
        {
            int* fd = (int*)(fds + i * PollfdSize);
            if (*fd < 0 || !UserEmu.Host.EmulatorFds.IsEmulator(*fd)) continue;
            *fd = ~*fd;
            hidden[count++] = (int)i;
        }
        return count;
    }

    static long InvalidAfterAll(byte* fds, ReadOnlySpan<int> hidden, long result)
    {
        foreach (int i in hidden)
        {
            int* fd = (int*)(fds + (uint)i * PollfdSize);
            *fd = ~*fd;
            *(short*)(fds + (uint)i * PollfdSize + 6) = POLLNVAL;
        }
        return result < 0 ? result : result + hidden.Length;
    }

    // select's sets naming an emulator descriptor: EBADF, as for any fd the process has not open.
    static bool SetsNameEmulatorFd(int nfds, byte* r, byte* w, byte* e)
    {
        if (!UserEmu.Host.EmulatorFds.Any) return false;
        for (int fd = 0; fd < nfds; fd++)
        {
            int bit = 1 << (fd & 7);
            bool named = (r != null && (r[fd >> 3] & bit) != 0) || (w != null && (w[fd >> 3] & bit) != 0) ||
                (e != null && (e[fd >> 3] & bit) != 0);
            if (named && UserEmu.Host.EmulatorFds.IsEmulator(fd)) return true;
        }
        return false;
    }

    /// <summary>select(nfds, readfds, writefds, exceptfds, timeout): each fd_set is nfds bits rounded up to longs.</summary>
    public static long Select(in SyscallContext c)
    {
        int nfds = (int)c.A0;
        if (nfds < 0) return -Errno.EINVAL;
        ulong setBytes = FdSetBytes(nfds);
        byte* r = c.OutOrNull(c.A1, setBytes), w = c.OutOrNull(c.A2, setBytes), e = c.OutOrNull(c.A3, setBytes);
        byte* tv = c.OutOrNull(c.A4, TimevalSize);
        if (SetsNameEmulatorFd(nfds, r, w, e)) return -Errno.EBADF;
        return Sys.Call(HostNr.Select, nfds, (long)r, (long)w, (long)e, (long)tv);
    }

    /// <summary>pselect6(nfds, readfds, writefds, exceptfds, timeout, {sigmask*, size}*).</summary>
    public static long Pselect6(in SyscallContext c)
    {
        int nfds = (int)c.A0;
        if (nfds < 0) return -Errno.EINVAL;
        ulong mask = 0;
        if (c.A5 != 0)
        {
            mask = c.Mem.Read64(c.A5);
            ulong size = c.Mem.Read64(c.A5 + 8);
            if (mask != 0)
            {
                if (size != SigSetSize) return -Errno.EINVAL;
                c.In(mask, SigSetSize);
            }
        }
        ulong setBytes = FdSetBytes(nfds);
        byte* r = c.OutOrNull(c.A1, setBytes), w = c.OutOrNull(c.A2, setBytes), e = c.OutOrNull(c.A3, setBytes);
        byte* ts = c.OutOrNull(c.A4, TimespecSize);
        if (SetsNameEmulatorFd(nfds, r, w, e)) return -Errno.EBADF;
        if (mask == 0) return Sys.Call(HostNr.Pselect6, nfds, (long)r, (long)w, (long)e, (long)ts, 0);
        if (WaitSignalMask.Apply(c.Cpu, c.Mem.Read64(mask)) != 0) return -Errno.EINTR;
        return WaitSignalMask.Finish(c.Cpu, Sys.Call(HostNr.Pselect6, nfds, (long)r, (long)w, (long)e, (long)ts, 0));
    }

    // The kernel reads DIV_ROUND_UP(nfds, BITS_PER_LONG) longs of each set.
    static ulong FdSetBytes(int nfds) => (((ulong)nfds + 63) / 64) * 8;
}
