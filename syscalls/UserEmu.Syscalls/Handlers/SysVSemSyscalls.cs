using UserEmu.Syscalls.Host;
using static UserEmu.Syscalls.Handlers.SysVIpcAbi;

namespace UserEmu.Syscalls.Handlers;

/// <summary>System V semaphores: semget, semop, semtimedop, semctl, passed to the host's semaphore sets.</summary>
/// <remarks>
/// A blocked semop is a blocking host call that a guest signal interrupts (EINTR, never restarted after a handler, as
/// <see cref="SyscallRestarts"/> says). SEM_UNDO adjustments belong to the host process, which is the guest process:
/// they are applied when it exits, and a fork's child starts without them, as on Linux.
/// </remarks>
public static unsafe class SysVSemSyscalls
{
    /// <summary>Above any SEMOPM the kernel allows: such a count is handed over without its array, for the host's E2BIG.</summary>
    const ulong MaxSops = 1 << 20;

    public static long Semget(in SyscallContext c) => Sys.Call(HostNr.Semget, (long)c.A0, (long)c.A1, (long)c.A2);

    public static long Semop(in SyscallContext c) => Sys.Call(HostNr.Semtimedop, (long)c.A0, (long)Sops(c), (long)c.A2, 0);

    /// <summary>semtimedop(semid, sops, nsops, timeout): the timeout is read before anything else (EFAULT first), and NULL means none.</summary>
    public static long Semtimedop(in SyscallContext c)
    {
        byte* timeout = null;
        if (c.A3 != 0 && (timeout = SysVIpcBuffers.Struct(c, c.A3, 16, false)) == null) return -Errno.EFAULT;
        return Sys.Call(HostNr.Semtimedop, (long)c.A0, (long)Sops(c), (long)c.A2, (long)timeout);
    }

    // struct sembuf[nsops]; the kernel checks nsops (EINVAL, E2BIG) before it copies the array.
    static byte* Sops(in SyscallContext c)
    {
        ulong n = c.A2 & 0xFFFFFFFF;
        return n == 0 || n > MaxSops ? null : SysVIpcBuffers.Struct(c, c.A1, n * SembufSize, false);
    }

    /// <summary>semctl(semid, semnum, cmd, arg): arg is a union semun, a value for SETVAL and a pointer for the structure and array commands.</summary>
    public static long Semctl(in SyscallContext c)
    {
        int cmd = (int)c.A2;
        long arg;
        switch (cmd)
        {
            case SETVAL:
                arg = (int)c.A3;
                break;
            case GETALL or SETALL:
                arg = (long)ValueArray(c, cmd == GETALL);
                break;
            default:
                int size = SemctlBuffer(cmd, out var dir);
                arg = (long)SysVIpcBuffers.Ctl(c, c.A3, size, dir);
                break;
        }
        return Sys.Call(HostNr.Semctl, (long)c.A0, (long)c.A1, cmd, arg);
    }

    /// <summary>
    /// GETALL/SETALL's unsigned short[sem_nsems], sized from the set's IPC_STAT. When the set cannot be read (a bad id, or
    /// no read permission) NULL goes to the host, which then reports the native error (EINVAL, EIDRM, EACCES).
    /// </summary>
    /// <remarks>A SETALL by a process that may alter but not read the set therefore fails with EFAULT where Linux succeeds.</remarks>
    static byte* ValueArray(in SyscallContext c, bool write)
    {
        byte* ds = stackalloc byte[SemidDsSize];
        if (Sys.Call(HostNr.Semctl, (long)c.A0, 0, IPC_STAT, (long)ds) < 0) return null;
        ulong nsems = *(ulong*)(ds + SemNsemsOffset);
        return SysVIpcBuffers.Struct(c, c.A3, nsems * 2, write);
    }
}
