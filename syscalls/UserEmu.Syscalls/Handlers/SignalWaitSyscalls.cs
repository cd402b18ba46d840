using System.Diagnostics;
using UserEmu.Cpu.X86.Signals;
using UserEmu.Engine;

namespace UserEmu.Syscalls.Handlers;

/// <summary>Waiting for signals: pause, rt_sigsuspend, rt_sigtimedwait, and rt_sigpending.</summary>
/// <remarks>
/// The waits sleep on the vCPU (<see cref="Vcpu.Sleep"/>) and are woken by <see cref="Vcpu.Notify"/> when anything
/// is queued; they return -EINTR, which the bridge turns into the kernel's ERESTARTNOHAND (EINTR once a handler ran).
/// </remarks>
public static class SignalWaitSyscalls
{
    const ulong SiginfoSize = 128;

    /// <summary>rt_sigpending(set, sigsetsize): pending signals that are blocked (the only ones that can stay pending).</summary>
    public static long RtSigpending(in SyscallContext c)
    {
        if (c.A1 > SignalSyscalls.SigSetSize) return -Errno.EINVAL;
        ulong set = c.Cpu.PendingSet() & c.Cpu.SignalMask;
        Span<byte> b = stackalloc byte[8];
        BitConverter.TryWriteBytes(b, set);
        c.Mem.WriteBytes(c.A0, b[..(int)c.A1]);
        return 0;
    }

    /// <summary>pause(): sleeps until a signal is delivered.</summary>
    public static long Pause(in SyscallContext c)
    {
        var cpu = c.Cpu;
        while (true)
        {
            int seen = cpu.WakeCount;
            if (cpu.HasDeliverableSignal) return -Errno.EINTR;
            cpu.Sleep(seen, -1);
        }
    }

    /// <summary>rt_sigsuspend(mask, sigsetsize): waits with a temporary mask; the handler's frame saves the old one.</summary>
    public static long RtSigsuspend(in SyscallContext c)
    {
        if (c.A1 != SignalSyscalls.SigSetSize) return -Errno.EINVAL;
        var cpu = c.Cpu;
        ulong mask = c.Mem.Read64(c.A0);
        if (!cpu.HasSavedMask)
        {
            cpu.SavedMask = cpu.SignalMask;
            cpu.HasSavedMask = true;
        }
        cpu.SetSignalMask(mask);
        return Pause(c);
    }

    /// <summary>rt_sigtimedwait(set, info, timeout, sigsetsize): takes a pending signal of the set, or EAGAIN at the timeout.</summary>
    public static long RtSigtimedwait(in SyscallContext c)
    {
        if (c.A3 != SignalSyscalls.SigSetSize) return -Errno.EINVAL;
        var cpu = c.Cpu;
        ulong set = c.Mem.Read64(c.A0) & ~SignalSyscalls.Unblockable;
        long? deadline = null;
        if (c.A2 != 0)
        {
            long sec = (long)c.Mem.Read64(c.A2), nsec = (long)c.Mem.Read64(c.A2 + 8);
            if (sec < 0 || nsec < 0 || nsec >= 1_000_000_000) return -Errno.EINVAL;
            deadline = Deadline(sec, nsec);
        }
        while (true)
        {
            int seen = cpu.WakeCount;
            if (cpu.TakeMatching(set, out var info))
            {
                if (c.A1 != 0)
                {
                    Span<byte> si = stackalloc byte[(int)SiginfoSize];
                    X86SignalFrame.WriteSiginfo(si, info);
                    c.Mem.WriteBytes(c.A1, si);
                }
                return info.Signal;
            }
            if (cpu.HasDeliverableSignal) return -Errno.EINTR;
            int ms = -1;
            if (deadline is { } d)
            {
                long left = d - Stopwatch.GetTimestamp();
                if (left <= 0) return -Errno.EAGAIN;
                ms = (int)Math.Min(int.MaxValue, left * 1000 / Stopwatch.Frequency + 1);
            }
            cpu.Sleep(seen, ms);
        }
    }

    /// <summary>A Stopwatch timestamp <paramref name="sec"/>.<paramref name="nsec"/> from now.</summary>
    public static long Deadline(long sec, long nsec)
    {
        double ticks = (sec + nsec / 1e9) * Stopwatch.Frequency;
        long now = Stopwatch.GetTimestamp();
        return ticks >= long.MaxValue - now ? long.MaxValue : now + (long)ticks;
    }
}
