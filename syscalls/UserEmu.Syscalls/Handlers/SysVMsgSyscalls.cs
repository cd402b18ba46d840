using UserEmu.Syscalls.Host;
using static UserEmu.Syscalls.Handlers.SysVIpcAbi;

namespace UserEmu.Syscalls.Handlers;

/// <summary>System V message queues: msgget, msgsnd, msgrcv, msgctl, passed to the host's queues.</summary>
/// <remarks>A blocked msgsnd or msgrcv is a blocking host call that a guest signal interrupts with EINTR, as on Linux.</remarks>
public static unsafe class SysVMsgSyscalls
{
    public static long Msgget(in SyscallContext c) => Sys.Call(HostNr.Msgget, (long)c.A0, (long)c.A1);

    /// <summary>msgsnd(msqid, msgp, msgsz, msgflg): msgp is { long mtype; char mtext[msgsz]; }, read after the kernel's size checks.</summary>
    public static long Msgsnd(in SyscallContext c) =>
        Sys.Call(HostNr.Msgsnd, (long)c.A0, (long)SysVIpcBuffers.Message(c, c.A1, c.A2, false), (long)c.A2, (long)c.A3);

    /// <summary>msgrcv(msqid, msgp, msgsz, msgtyp, msgflg): the kernel writes mtype and at most msgsz bytes of text, as long as the message it takes.</summary>
    public static long Msgrcv(in SyscallContext c) =>
        Sys.Call(HostNr.Msgrcv, (long)c.A0, (long)SysVIpcBuffers.Message(c, c.A1, c.A2, true), (long)c.A2,
            (long)c.A3, (long)c.A4);

    /// <summary>msgctl(msqid, cmd, buf).</summary>
    public static long Msgctl(in SyscallContext c)
    {
        int cmd = (int)c.A1;
        int size = MsgctlBuffer(cmd, out var dir);
        return Sys.Call(HostNr.Msgctl, (long)c.A0, cmd, (long)SysVIpcBuffers.Ctl(c, c.A2, size, dir));
    }
}
