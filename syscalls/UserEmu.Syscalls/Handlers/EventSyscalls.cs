using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>Event descriptors: epoll, eventfd, timerfd and inotify, passed to the host with guest structs used in place.</summary>
/// <remarks>
/// struct epoll_event is packed on x86-64 (12 bytes) and the same on both sides. As with ppoll, the signal mask of
/// epoll_pwait/epoll_pwait2 is validated and the host waits without it.
/// </remarks>
public static unsafe class EventSyscalls
{
    const ulong EpollEventSize = 12, TimespecSize = 16, ItimerspecSize = 32, SigSetSize = 8;
    const int EPOLL_CTL_DEL = 2;

    public static long EpollCreate(in SyscallContext c) => Sys.Call(HostNr.EpollCreate, (long)c.A0);

    public static long EpollCreate1(in SyscallContext c) => Sys.Call(HostNr.EpollCreate1, (long)c.A0);

    /// <summary>epoll_ctl(epfd, op, fd, event): the event may be NULL for EPOLL_CTL_DEL.</summary>
    public static long EpollCtl(in SyscallContext c)
    {
        byte* ev = (int)c.A1 == EPOLL_CTL_DEL ? c.InOrNull(c.A3, EpollEventSize) : c.In(c.A3, EpollEventSize);
        return Sys.Call(HostNr.EpollCtl, (long)c.A0, (long)c.A1, (long)c.A2, (long)ev);
    }

    public static long EpollWait(in SyscallContext c)
    {
        long err = Events(c, out byte* events);
        return err != 0 ? err : Sys.Call(HostNr.EpollWait, (long)c.A0, (long)events, (long)c.A2, (long)c.A3);
    }

    /// <summary>epoll_pwait(epfd, events, maxevents, timeout, sigmask, sigsetsize).</summary>
    public static long EpollPwait(in SyscallContext c)
    {
        long err = Events(c, out byte* events);
        if (err == 0) err = CheckMask(c, c.A4, c.A5);
        if (err != 0) return err;
        if (c.A4 == 0) return Sys.Call(HostNr.EpollPwait, (long)c.A0, (long)events, (long)c.A2, (long)c.A3, 0, (long)SigSetSize);
        if (WaitSignalMask.Apply(c.Cpu, c.Mem.Read64(c.A4)) != 0) return -Errno.EINTR;
        return WaitSignalMask.Finish(c.Cpu, Sys.Call(HostNr.EpollPwait, (long)c.A0, (long)events, (long)c.A2, (long)c.A3, 0, (long)SigSetSize));
    }

    /// <summary>epoll_pwait2(epfd, events, maxevents, timespec*, sigmask, sigsetsize).</summary>
    public static long EpollPwait2(in SyscallContext c)
    {
        long err = Events(c, out byte* events);
        if (err == 0) err = CheckMask(c, c.A4, c.A5);
        if (err != 0) return err;
        byte* ts = c.InOrNull(c.A3, TimespecSize);
        if (c.A4 == 0) return Sys.Call(HostNr.EpollPwait2, (long)c.A0, (long)events, (long)c.A2, (long)ts, 0, (long)SigSetSize);
        if (WaitSignalMask.Apply(c.Cpu, c.Mem.Read64(c.A4)) != 0) return -Errno.EINTR;
        return WaitSignalMask.Finish(c.Cpu, Sys.Call(HostNr.EpollPwait2, (long)c.A0, (long)events, (long)c.A2, (long)ts, 0, (long)SigSetSize));
    }

    // maxevents must be positive and the whole array writable, as ep_check_params/access_ok require.
    static long Events(in SyscallContext c, out byte* events)
    {
        events = null;
        int max = (int)c.A2;
        if (max <= 0 || max > int.MaxValue / (int)EpollEventSize) return -Errno.EINVAL;
        events = c.Out(c.A1, (ulong)max * EpollEventSize);
        return 0;
    }

    static long CheckMask(in SyscallContext c, ulong mask, ulong size)
    {
        if (mask == 0) return 0;
        if (size != SigSetSize) return -Errno.EINVAL;
        c.In(mask, SigSetSize);
        return 0;
    }

    public static long Eventfd(in SyscallContext c) => Sys.Call(HostNr.Eventfd, (long)c.A0);

    public static long Eventfd2(in SyscallContext c) => Sys.Call(HostNr.Eventfd2, (long)c.A0, (long)c.A1);

    public static long TimerfdCreate(in SyscallContext c) => Sys.Call(HostNr.TimerfdCreate, (long)c.A0, (long)c.A1);

    /// <summary>timerfd_settime(fd, flags, new, old): struct itimerspec is two timespecs.</summary>
    public static long TimerfdSettime(in SyscallContext c) =>
        Sys.Call(HostNr.TimerfdSettime, (long)c.A0, (long)c.A1, (long)c.In(c.A2, ItimerspecSize), (long)c.OutOrNull(c.A3, ItimerspecSize));

    public static long TimerfdGettime(in SyscallContext c) => Sys.Call(HostNr.TimerfdGettime, (long)c.A0, (long)c.Out(c.A1, ItimerspecSize));

    public static long InotifyInit(in SyscallContext c) => Sys.Call(HostNr.InotifyInit);

    public static long InotifyInit1(in SyscallContext c) => Sys.Call(HostNr.InotifyInit1, (long)c.A0);

    public static long InotifyAddWatch(in SyscallContext c)
    {
        int err = c.Kernel.Paths.Resolve(c, c.A1, 0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.InotifyAddWatch, (long)c.A0, (long)path, (long)c.A2);
    }

    public static long InotifyRmWatch(in SyscallContext c) => Sys.Call(HostNr.InotifyRmWatch, (long)c.A0, (long)c.A1);
}
