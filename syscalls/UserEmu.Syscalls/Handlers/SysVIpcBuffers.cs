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
    /// A message buffer (struct msgbuf with <paramref name="textSize"/> bytes of text) of which the kernel reads or
    /// writes a length it decides itself: after its own size checks (msgsnd), or the length of the message it takes
    /// (msgrcv). Handed over whole, even if only a prefix is accessible, when the most the kernel can copy (mtype and
    /// msgmax bytes) lies inside the guest reservation; otherwise NULL.
    /// </summary>
    /// <remarks>
    /// Every page the guest cannot access is read-only or PROT_NONE on the host as well, so the host's copy faults
    /// exactly where the native one would (EFAULT at the kernel's point, a received message consumed, as on Linux).
    /// The accessible prefix is checked as usual, which drops translated code the host is about to overwrite.
    /// </remarks>
    public static byte* Message(in SyscallContext c, ulong addr, ulong textSize, bool write)
    {
        ulong most = SysVIpcAbi.MsgTypeSize + Math.Min(textSize, MsgMax);
        if (addr + most < addr || addr + most > c.Mem.Limit) return null;
        ulong ok = c.AccessibleLength(addr, most, write ? PageFlags.Write : PageFlags.Read);
        if (ok > 0) c.Mem.Check(addr, ok, write);
        return c.Mem.Host(addr);
    }

    /// <summary>The host's msgmax (kernel.msgmax, read once): no message text is longer.</summary>
    static ulong MsgMax => s_msgMax != 0 ? s_msgMax : s_msgMax = ReadMsgMax();

    static ulong s_msgMax;

    static ulong ReadMsgMax()
    {
        try
        {
            return ulong.Parse(File.ReadAllText("/proc/sys/kernel/msgmax").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException or OverflowException)
        {
            return int.MaxValue; // msgmax is an int
        }
    }

    /// <summary>The pointer a ctl command passes to the host: its structure in the given direction, or NULL when the command takes none.</summary>
    public static byte* Ctl(in SyscallContext c, ulong addr, int size, SysVIpcAbi.Transfer dir) => dir switch
    {
        SysVIpcAbi.Transfer.In => Struct(c, addr, (ulong)size, false),
        SysVIpcAbi.Transfer.Out => Struct(c, addr, (ulong)size, true),
        _ => null,
    };
}
