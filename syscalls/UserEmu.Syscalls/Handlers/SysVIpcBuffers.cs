using UserEmu.Memory;

namespace UserEmu.Syscalls.Handlers;

/// <summary>Guest structures of the System V IPC calls as host pointers, with the kernel's order of errors kept.</summary>
/// <remarks>
/// The kernel copies an IPC structure after it has checked the id, the permissions and the command (EINVAL, EIDRM,
/// EACCES, ENOMSG come first), and reports EFAULT only then. So a range the guest cannot access is not failed here:
/// it is handed to the host as NULL, whose copy fails with EFAULT at the same point as the native call's.
/// </remarks>
public static unsafe class SysVIpcBuffers
{
    /// <summary>A host pointer to [addr, addr+len) if the guest may access all of it, otherwise NULL (the host reports EFAULT).</summary>
    public static byte* Struct(in SyscallContext c, ulong addr, ulong len, bool write)
    {
        if (len == 0) return null;
        if (addr + len < addr || !c.Mem.IsAccessible(addr, len, write ? PageFlags.Write : PageFlags.Read)) return null;
        return write ? c.Out(addr, len) : c.In(addr, len);
    }

    /// <summary>
    /// A message buffer (struct msgbuf) of which the kernel reads or writes a length it decides itself (the message's
    /// own length, or after its size checks): handed over as a whole when it lies inside the guest reservation, even
    /// if only a prefix is accessible, otherwise as NULL.
    /// </summary>
    /// <remarks>
    /// Every page the guest cannot access is read-only or PROT_NONE on the host as well, so the host's copy faults
    /// exactly where the native one would (EFAULT at the kernel's point, a received message consumed, as on Linux).
    /// The accessible prefix is checked as usual, which drops translated code the host is about to overwrite.
    /// </remarks>
    public static byte* Message(in SyscallContext c, ulong addr, ulong len, bool write)
    {
        if (len == 0 || addr + len < addr || addr + len > c.Mem.Limit) return null;
        ulong ok = c.AccessibleLength(addr, len, write ? PageFlags.Write : PageFlags.Read);
        if (ok > 0) c.Mem.Check(addr, ok, write);
        return c.Mem.Host(addr);
    }

    /// <summary>The pointer a ctl command passes to the host: its structure in the given direction, or NULL when the command takes none.</summary>
    public static byte* Ctl(in SyscallContext c, ulong addr, int size, SysVIpcAbi.Transfer dir) => dir switch
    {
        SysVIpcAbi.Transfer.In => Struct(c, addr, (ulong)size, false),
        SysVIpcAbi.Transfer.Out => Struct(c, addr, (ulong)size, true),
        _ => null,
    };
}
