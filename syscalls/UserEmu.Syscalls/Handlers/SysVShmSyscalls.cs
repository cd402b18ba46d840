using UserEmu.Memory;
using UserEmu.Syscalls.Host;
using static UserEmu.Syscalls.Handlers.SysVIpcAbi;

namespace UserEmu.Syscalls.Handlers;

/// <summary>System V shared memory: shmget, shmat, shmdt, shmctl on the host's segments.</summary>
/// <remarks>
/// Segments are the host's, so ids, keys, permissions and limits are the kernel's, and other processes (emulated or
/// not) share them. shmat attaches the host segment inside the guest reservation (<see cref="GuestAddressSpace.AttachSysVShm"/>),
/// as a shared guest mapping that a fork keeps and an exec or exit detaches, as on Linux.
/// </remarks>
public static unsafe class SysVShmSyscalls
{
    public static long Shmget(in SyscallContext c) => Sys.Call(HostNr.Shmget, (long)c.A0, (long)c.A1, (long)c.A2);

    /// <summary>shmat(shmid, shmaddr, shmflg), with ipc/shm.c's checks in its order.</summary>
    public static long Shmat(in SyscallContext c)
    {
        int shmid = (int)c.A0, flags = (int)c.A2;
        ulong addr = c.A1;
        bool fixedAddr = addr != 0; // SHM_RND may round it down to 0: still a fixed attach at 0, as in the kernel
        if (shmid < 0) return -Errno.EINVAL;
        if (addr != 0)
        {
            if ((addr & (ShmLba - 1)) != 0)
            {
                if ((flags & SHM_RND) == 0) return -Errno.EINVAL;
                addr &= ~(ShmLba - 1);
                if (addr == 0 && (flags & SHM_REMAP) != 0) return -Errno.EINVAL;
            }
        }
        else if ((flags & SHM_REMAP) != 0)
        {
            return -Errno.EINVAL;
        }

        // The segment's size decides where it fits; IPC_STAT needs the read permission every attach needs too.
        byte* ds = stackalloc byte[ShmidDsSize];
        long r = Sys.Call(HostNr.Shmctl, shmid, IPC_STAT, (long)ds);
        if (r < 0) return r;
        ulong size = *(ulong*)(ds + ShmSegszOffset);

        var prot = (flags & SHM_RDONLY) != 0 ? PageFlags.Read : PageFlags.Read | PageFlags.Write;
        if ((flags & SHM_EXEC) != 0) prot |= PageFlags.Exec;
        bool remap = (flags & SHM_REMAP) != 0;
        ulong len = GuestAddressSpace.PageAlignUp(size);
        bool hadCode = remap && fixedAddr && MemorySyscalls.HasCode(c.Mem, addr, Math.Min(len, c.Mem.Limit - Math.Min(addr, c.Mem.Limit)));
        long at = c.Mem.AttachSysVShm(new ShmAttach(shmid, size, addr, fixedAddr, remap, prot));
        if (at >= 0 && hadCode) c.Process.Code.InvalidateRange((ulong)at, (ulong)at + len);
        return at;
    }

    /// <summary>shmdt(shmaddr): the whole segment attached there, found by its start address.</summary>
    public static long Shmdt(in SyscallContext c)
    {
        ulong addr = c.A0;
        var m = c.Mem.FindMapping(addr);
        ulong span = m is { ShmSegmentSize: not 0 } ? GuestAddressSpace.PageAlignUp(m.ShmSegmentSize) : 0;
        bool hadCode = span != 0 && MemorySyscalls.HasCode(c.Mem, addr, span);
        int r = c.Mem.DetachSysVShm(addr, out ulong end);
        if (r == 0 && hadCode) c.Process.Code.InvalidateRange(addr, end);
        return r;
    }

    /// <summary>shmctl(shmid, cmd, buf): the host's, with buf checked for the structure the command reads or writes.</summary>
    public static long Shmctl(in SyscallContext c)
    {
        int cmd = (int)c.A1;
        int size = ShmctlBuffer(cmd, out var dir);
        return Sys.Call(HostNr.Shmctl, (long)c.A0, cmd, (long)SysVIpcBuffers.Ctl(c, c.A2, size, dir));
    }
}
