using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>User and group ids: the guest is the host process, so ids are read and changed on the host.</summary>
/// <remarks>
/// The raw set*id syscalls change the calling thread only, exactly what the guest's kernel would do; a guest libc
/// makes them process-wide itself by signalling its other threads.
/// </remarks>
public static unsafe class CredentialSyscalls
{
    public static long Getuid(in SyscallContext c) => Sys.Call(HostNr.Getuid);

    public static long Geteuid(in SyscallContext c) => Sys.Call(HostNr.Geteuid);

    public static long Getgid(in SyscallContext c) => Sys.Call(HostNr.Getgid);

    public static long Getegid(in SyscallContext c) => Sys.Call(HostNr.Getegid);

    /// <summary>getgroups(size, list): size 0 asks for the count only, and then list is not touched.</summary>
    public static long Getgroups(in SyscallContext c)
    {
        int size = (int)c.A0;
        if (size < 0) return -Errno.EINVAL;
        byte* list = size == 0 ? null : c.Out(c.A1, (ulong)size * 4);
        return Sys.Call(HostNr.Getgroups, size, (long)list);
    }

    public static long Setgroups(in SyscallContext c)
    {
        int size = (int)c.A0;
        if (size < 0 || size > 65536) return -Errno.EINVAL;
        byte* list = size == 0 ? null : c.In(c.A1, (ulong)size * 4);
        return Sys.Call(HostNr.Setgroups, size, (long)list);
    }

    public static long Getresuid(in SyscallContext c) =>
        Sys.Call(HostNr.Getresuid, (long)c.Out(c.A0, 4), (long)c.Out(c.A1, 4), (long)c.Out(c.A2, 4));

    public static long Getresgid(in SyscallContext c) =>
        Sys.Call(HostNr.Getresgid, (long)c.Out(c.A0, 4), (long)c.Out(c.A1, 4), (long)c.Out(c.A2, 4));

    public static long Setuid(in SyscallContext c) => Sys.Call(HostNr.Setuid, (long)c.A0);

    public static long Setgid(in SyscallContext c) => Sys.Call(HostNr.Setgid, (long)c.A0);

    public static long Setreuid(in SyscallContext c) => Sys.Call(HostNr.Setreuid, (long)c.A0, (long)c.A1);

    public static long Setregid(in SyscallContext c) => Sys.Call(HostNr.Setregid, (long)c.A0, (long)c.A1);

    public static long Setresuid(in SyscallContext c) => Sys.Call(HostNr.Setresuid, (long)c.A0, (long)c.A1, (long)c.A2);

    public static long Setresgid(in SyscallContext c) => Sys.Call(HostNr.Setresgid, (long)c.A0, (long)c.A1, (long)c.A2);

    public static long Setfsuid(in SyscallContext c) => Sys.Call(HostNr.Setfsuid, (long)c.A0);

    public static long Setfsgid(in SyscallContext c) => Sys.Call(HostNr.Setfsgid, (long)c.A0);
}
