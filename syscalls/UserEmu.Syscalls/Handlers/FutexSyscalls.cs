using System.Diagnostics;
using UserEmu.Engine;
using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>futex(uaddr, op, val, timeout|val2, uaddr2, val3) on the process's <see cref="Engine.Threads.FutexTable"/>.</summary>
/// <remarks>
/// All guest threads share one address space inside this process, so a futex in private memory is "private" here
/// whatever the flag says. A shared futex in MAP_SHARED memory may have waiters in other guest processes: it goes to
/// the host kernel (<see cref="SharedFutex"/>). Timeouts are relative for FUTEX_WAIT and absolute for the *_BITSET and PI forms, on
/// CLOCK_MONOTONIC or, with FUTEX_CLOCK_REALTIME, CLOCK_REALTIME.
/// </remarks>
public static unsafe class FutexSyscalls
{
    const int FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_FD = 2, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4, FUTEX_WAKE_OP = 5,
        FUTEX_LOCK_PI = 6, FUTEX_UNLOCK_PI = 7, FUTEX_TRYLOCK_PI = 8, FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10,
        FUTEX_WAIT_REQUEUE_PI = 11, FUTEX_CMP_REQUEUE_PI = 12, FUTEX_LOCK_PI2 = 13;
    const int FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256;
    const int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1;
    /// <summary>The kernel's -ERESTARTNOINTR: LOCK_PI is always restarted after a handler.</summary>
    const long RestartNoIntr = -(long)SyscallRestart.Always;

    public static long Futex(in SyscallContext c)
    {
        int op = (int)c.A1;
        int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
        bool realtime = (op & FUTEX_CLOCK_REALTIME) != 0;
        if (realtime && cmd is not (FUTEX_WAIT or FUTEX_WAIT_BITSET or FUTEX_LOCK_PI2 or FUTEX_WAIT_REQUEUE_PI)) return -Errno.ENOSYS;
        if (SharedFutex.Applies(c, op, cmd)) return SharedFutex.Run(c, op, cmd);
        var table = c.Process.Futexes;
        ulong addr = c.A0;
        uint val = (uint)c.A2;
        int count2 = (int)(uint)c.A3; // val2 shares the timeout slot for the requeue and wake-op forms
        switch (cmd)
        {
            case FUTEX_WAIT:
            {
                if (!Timeout(c, c.A3, absolute: false, realtime, out long? deadline)) return -Errno.EINVAL;
                return table.Wait(c.Cpu, addr, val, Engine.Threads.FutexTable.BitsetMatchAny, deadline);
            }
            case FUTEX_WAIT_BITSET:
            {
                if (!Timeout(c, c.A3, absolute: true, realtime, out long? deadline)) return -Errno.EINVAL;
                return table.Wait(c.Cpu, addr, val, (uint)c.A5, deadline);
            }
            case FUTEX_WAKE:
                return table.Wake(addr, (int)Math.Min(val, int.MaxValue));
            case FUTEX_WAKE_BITSET:
                return table.Wake(addr, (int)Math.Min(val, int.MaxValue), (uint)c.A5);
            case FUTEX_REQUEUE:
                return table.Requeue(addr, Count(val), c.A4, Count((uint)count2), null);
            case FUTEX_CMP_REQUEUE:
                if (count2 < 0 || (int)val < 0) return -Errno.EINVAL;
                return table.Requeue(addr, Count(val), c.A4, count2, (uint)c.A5);
            case FUTEX_WAKE_OP:
                return table.WakeOp(addr, Count(val), c.A4, Count((uint)count2), (uint)c.A5);
            case FUTEX_LOCK_PI:
            case FUTEX_LOCK_PI2:
            {
                // LOCK_PI's timeout is absolute on CLOCK_REALTIME; LOCK_PI2's on CLOCK_MONOTONIC unless told otherwise.
                if (!Timeout(c, c.A3, absolute: true, cmd == FUTEX_LOCK_PI || realtime, out long? deadline)) return -Errno.EINVAL;
                long r = table.LockPi(c.Cpu, addr, deadline, tryOnly: false);
                return r == -Errno.EINTR ? RestartNoIntr : r;
            }
            case FUTEX_TRYLOCK_PI:
                return table.LockPi(c.Cpu, addr, null, tryOnly: true);
            case FUTEX_UNLOCK_PI:
                return table.UnlockPi(c.Cpu, addr);
            case FUTEX_FD:
                return -Errno.ENOSYS; // removed from Linux in 2.6.26
            case FUTEX_WAIT_REQUEUE_PI:
            case FUTEX_CMP_REQUEUE_PI:
                c.Kernel.Warnings.Once("futex-requeue-pi", "useremu: futex requeue-PI operations are not supported");
                return -Errno.ENOSYS;
            default:
                return -Errno.ENOSYS;
        }
    }

    static int Count(uint v) => (int)Math.Min(v, int.MaxValue);

    /// <summary>Reads a struct timespec timeout (NULL: none) into a Stopwatch deadline; false if it is malformed.</summary>
    static bool Timeout(in SyscallContext c, ulong addr, bool absolute, bool realtime, out long? deadline)
    {
        deadline = null;
        if (addr == 0) return true;
        long sec = (long)c.Mem.Read64(addr), nsec = (long)c.Mem.Read64(addr + 8);
        if (sec < 0 || nsec < 0 || nsec >= 1_000_000_000) return false;
        if (absolute)
        {
            long* now = stackalloc long[2];
            Sys.ClockGettime(realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC, now);
            // Relative to now on the chosen clock; a time already past gives an immediate ETIMEDOUT.
            long dsec = sec - now[0], dnsec = nsec - now[1];
            if (dnsec < 0) { dnsec += 1_000_000_000; dsec--; }
            if (dsec < 0)
            {
                deadline = Stopwatch.GetTimestamp();
                return true;
            }
            sec = dsec;
            nsec = dnsec;
        }
        deadline = SignalWaitSyscalls.Deadline(sec, nsec);
        return true;
    }
}
