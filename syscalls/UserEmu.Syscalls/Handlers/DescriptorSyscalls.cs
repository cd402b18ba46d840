using UserEmu.Host;
using UserEmu.Syscalls.Host;
using UserEmu.Syscalls.Paths;

namespace UserEmu.Syscalls.Handlers;

/// <summary>Creating, duplicating and closing descriptors: open*, creat, close*, dup*, pipe*, flock, memfd_create.</summary>
/// <remarks>Guest fds are host fds: the host kernel picks the numbers, so they match what a native run would get.</remarks>
public static unsafe class DescriptorSyscalls
{
    public const int AT_FDCWD = -100;
    const int O_CREAT = 0x40, O_WRONLY = 1, O_TRUNC = 0x200;

    public static long Open(in SyscallContext c) => OpenAt(c, AT_FDCWD, c.A0, (long)c.A1, (long)c.A2);

    public static long Openat(in SyscallContext c) => OpenAt(c, (long)c.A0, c.A1, (long)c.A2, (long)c.A3);

    public static long Creat(in SyscallContext c) => OpenAt(c, AT_FDCWD, c.A0, O_CREAT | O_WRONLY | O_TRUNC, (long)c.A1);

    static long OpenAt(in SyscallContext c, long dirfd, ulong pathAddr, long flags, long mode)
    {
        long len = c.CString(pathAddr, GuestPaths.PathMax, out byte* raw);
        if (len < 0) return len;
        if (len > 6 && raw[0] == (byte)'/' && raw[1] == (byte)'p' &&
            ProcOverlay.TryOpen(c, new ReadOnlySpan<byte>(raw, (int)len), flags, mode, out long fd))
            return fd;
        int err = c.Kernel.Paths.Resolve(c, pathAddr, 0, out byte* path);
        if (err != 0) return err;
        return Sys.Call(HostNr.Openat, dirfd, (long)path, flags, mode);
    }

    /// <summary>openat2(dirfd, path, struct open_how*, size): the host validates the struct's size and fields.</summary>
    public static long Openat2(in SyscallContext c)
    {
        if (c.A3 > 4096) return -Errno.E2BIG;
        int err = c.Kernel.Paths.Resolve(c, c.A1, 0, out byte* path);
        if (err != 0) return err;
        byte* how = c.In(c.A2, c.A3);
        return Sys.Call(HostNr.Openat2, (long)c.A0, (long)path, (long)how, (long)c.A3);
    }

    /// <summary>close: the emulator's own descriptors are not the guest's to close (EBADF, as for an fd it never opened).</summary>
    public static long Close(in SyscallContext c) =>
        EmulatorFds.IsEmulator((int)c.A0) ? -Errno.EBADF : Sys.Call(HostNr.Close, (long)c.A0);

    const uint CLOSE_RANGE_UNSHARE = 2, CLOSE_RANGE_CLOEXEC = 4;

    /// <summary>close_range(first, last, flags) over the guest's descriptors only, skipping the emulator's (<see cref="EmulatorFds"/>).</summary>
    public static long CloseRange(in SyscallContext c)
    {
        uint first = (uint)c.A0, last = (uint)c.A1, flags = (uint)c.A2;
        if ((flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) != 0 || first > last) return -Errno.EINVAL;
        // The fd table is not shared with another process (no CLONE_FILES children), so UNSHARE has nothing to do.
        foreach (int fd in EmulatorFds.OpenFds())
        {
            if ((uint)fd < first || (uint)fd > last || EmulatorFds.IsEmulator(fd)) continue;
            if ((flags & CLOSE_RANGE_CLOEXEC) != 0) Sys.Call(HostNr.Fcntl, fd, FcntlSyscall.F_SETFD, 1);
            else Sys.Call(HostNr.Close, fd);
        }
        return 0;
    }

    public static long Dup(in SyscallContext c) => Sys.Call(HostNr.Dup, (long)c.A0);

    static void BeforeTaking(int fd)
    {
        if (EmulatorFds.IsEmulator(fd)) EmulatorFds.GuestTakes(fd);
    }

    /// <summary>dup2: a target number the emulator holds passes to the guest (the emulator forgets that descriptor).</summary>
    public static long Dup2(in SyscallContext c)
    {
        BeforeTaking((int)c.A1);
        long r = RetryBusy(HostNr.Dup2, (long)c.A0, (long)c.A1, 0);
        if (r >= 0) EmulatorFds.Forget((int)r);
        return r;
    }

    public static long Dup3(in SyscallContext c)
    {
        BeforeTaking((int)c.A1);
        long r = RetryBusy(HostNr.Dup3, (long)c.A0, (long)c.A1, (long)c.A2);
        if (r >= 0) EmulatorFds.Forget((int)r);
        return r;
    }

    /// <summary>
    /// EBUSY from dup2/dup3 means another thread is opening that very number; here that thread is the runtime's (its
    /// descriptors share the table), which a single-threaded native guest would never race with, so wait it out.
    /// </summary>
    static long RetryBusy(int nr, long a0, long a1, long a2)
    {
        long r = Sys.Call(nr, a0, a1, a2);
        for (int k = 0; r == -Errno.EBUSY && k < 100; k++)
        {
            Thread.Yield();
            r = Sys.Call(nr, a0, a1, a2);
        }
        return r;
    }

    public static long Pipe(in SyscallContext c) => Sys.Call(HostNr.Pipe, (long)c.Out(c.A0, 8));

    public static long Pipe2(in SyscallContext c) => Sys.Call(HostNr.Pipe2, (long)c.Out(c.A0, 8), (long)c.A1);

    public static long Flock(in SyscallContext c) => Sys.Call(HostNr.Flock, (long)c.A0, (long)c.A1);

    /// <summary>memfd_create(name, flags): the name is checked by the host (at most 249 bytes).</summary>
    public static long MemfdCreate(in SyscallContext c)
    {
        long len = c.CString(c.A0, GuestPaths.PathMax, out byte* name);
        if (len < 0) return len == -Errno.ENAMETOOLONG ? -Errno.EINVAL : len;
        return Sys.Call(HostNr.MemfdCreate, (long)name, (long)c.A1);
    }
}
