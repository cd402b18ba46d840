using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>Shared futexes (no FUTEX_PRIVATE_FLAG, in MAP_SHARED memory): the host kernel's futex on the host address.</summary>
/// <remarks>
/// Guest processes are host processes, and a MAP_SHARED guest mapping is a MAP_SHARED host mapping, so a waiter and a
/// waker in two forked guests (POSIX semaphores in /dev/shm, pshared mutexes and conditions: Python's multiprocessing
/// locks) meet only in the host kernel: the per-process <see cref="Engine.Threads.FutexTable"/> cannot see the other
/// process. The kernel keys private and shared futexes apart, so private operations keep using the table. A blocked
/// host wait is left by the bridge's kick signal like any blocking host call (EINTR, then the guest's restart rules).
/// </remarks>
public static unsafe class SharedFutex
{
    const int FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4, FUTEX_WAKE_OP = 5,
        FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10;
    const int FUTEX_PRIVATE_FLAG = 128;
    const int HostFutex = 202;

    /// <summary>True if this operation belongs to the host kernel: a shared futex word (and second word) in shared memory.</summary>
    public static bool Applies(in SyscallContext c, int op, int cmd)
    {
        if ((op & FUTEX_PRIVATE_FLAG) != 0) return false;
        bool twoWords = cmd is FUTEX_REQUEUE or FUTEX_CMP_REQUEUE or FUTEX_WAKE_OP;
        if (cmd is not (FUTEX_WAIT or FUTEX_WAIT_BITSET or FUTEX_WAKE or FUTEX_WAKE_BITSET) && !twoWords) return false;
        var mem = c.Mem;
        return mem.IsSharedAt(c.A0) && (!twoWords || mem.IsSharedAt(c.A4));
    }

    /// <summary>Runs the operation on the host; the result is the host kernel's (count, 0 or negative errno).</summary>
    public static long Run(in SyscallContext c, int op, int cmd)
    {
        var mem = c.Mem;
        if ((c.A0 & 3) != 0) return -Errno.EINVAL;
        if (!mem.IsAccessible(c.A0, 4, Memory.PageFlags.Read)) return -Errno.EFAULT;
        long a3 = (long)c.A3, a4 = 0;
        long* timeout = stackalloc long[2];
        if (cmd is FUTEX_WAIT or FUTEX_WAIT_BITSET)
        {
            if (c.A3 != 0)
            {
                // Copied to host memory: the host kernel reads it; its relative/absolute and clock rules are the guest's.
                timeout[0] = (long)mem.Read64(c.A3);
                timeout[1] = (long)mem.Read64(c.A3 + 8);
                a3 = (long)timeout;
            }
        }
        else if (cmd is FUTEX_REQUEUE or FUTEX_CMP_REQUEUE or FUTEX_WAKE_OP)
        {
            if ((c.A4 & 3) != 0) return -Errno.EINVAL;
            var need = cmd == FUTEX_WAKE_OP ? Memory.PageFlags.Read | Memory.PageFlags.Write : Memory.PageFlags.Read;
            if (!mem.IsAccessible(c.A4, 4, need)) return -Errno.EFAULT;
            a4 = (long)mem.Host(c.A4);
        }
        return Sys.Call(HostFutex, (long)mem.Host(c.A0), op, (long)c.A2, a3, a4, (long)c.A5);
    }
}
