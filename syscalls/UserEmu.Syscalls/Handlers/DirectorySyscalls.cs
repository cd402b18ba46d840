using UserEmu.Syscalls.Host;
using UserEmu.Syscalls.Paths;

namespace UserEmu.Syscalls.Handlers;

/// <summary>Directories and names: listing, the working directory, and creating, linking, renaming and removing entries.</summary>
public static unsafe class DirectorySyscalls
{
    static int Path(in SyscallContext c, ulong addr, int slot, out byte* path) => c.Kernel.Paths.Resolve(c, addr, slot, out path);

    /// <summary>getdents64(fd, dirp, count): the host's linux_dirent64 records are the guest's.</summary>
    public static long Getdents64(in SyscallContext c) => List(c, HostNr.Getdents64, dirent64: true);

    /// <summary>getdents(fd, dirp, count): the old linux_dirent layout, identical on an x86-64 host.</summary>
    public static long Getdents(in SyscallContext c) => List(c, HostNr.Getdents, dirent64: false);

    // A listing of this process's /proc fd directory leaves out the emulator's descriptors (ProcFdView).
    static long List(in SyscallContext c, int hostNr, bool dirent64)
    {
        ulong n = c.Buffer(c.A1, (uint)c.A2, true, out byte* buf);
        while (true)
        {
            long r = Sys.Call(hostNr, (long)c.A0, (long)buf, (long)n);
            if (r <= 0 || !UserEmu.Host.EmulatorFds.Any || !ProcFdView.IsFdDirectory((int)c.A0, c.Kernel.Pid)) return r;
            int kept = ProcFdView.Filter(buf, (int)r, dirent64);
            // All of this batch was the emulator's: read on, since 0 would tell the guest the listing has ended.
            if (kept > 0) return kept;
        }
    }

    /// <summary>getcwd(buf, size): returns the length including the NUL, as the syscall (not the libc function) does.</summary>
    public static long Getcwd(in SyscallContext c)
    {
        ulong n = c.Buffer(c.A0, c.A1, true, out byte* buf);
        return Sys.Call(HostNr.Getcwd, (long)buf, (long)n);
    }

    public static long Chdir(in SyscallContext c)
    {
        int err = Path(c, c.A0, 0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Chdir, (long)path);
    }

    public static long Fchdir(in SyscallContext c) => Sys.Call(HostNr.Fchdir, (long)c.A0);

    public static long Mkdir(in SyscallContext c)
    {
        int err = Path(c, c.A0, 0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Mkdir, (long)path, (long)c.A1);
    }

    public static long Mkdirat(in SyscallContext c)
    {
        int err = Path(c, c.A1, 0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Mkdirat, (long)c.A0, (long)path, (long)c.A2);
    }

    public static long Mknod(in SyscallContext c)
    {
        int err = Path(c, c.A0, 0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Mknod, (long)path, (long)c.A1, (long)c.A2);
    }

    public static long Mknodat(in SyscallContext c)
    {
        int err = Path(c, c.A1, 0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Mknodat, (long)c.A0, (long)path, (long)c.A2, (long)c.A3);
    }

    public static long Rmdir(in SyscallContext c)
    {
        int err = Path(c, c.A0, 0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Rmdir, (long)path);
    }

    public static long Unlink(in SyscallContext c)
    {
        int err = Path(c, c.A0, 0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Unlink, (long)path);
    }

    public static long Unlinkat(in SyscallContext c)
    {
        int err = Path(c, c.A1, 0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Unlinkat, (long)c.A0, (long)path, (long)c.A2);
    }

    public static long Rename(in SyscallContext c)
    {
        int err = Path(c, c.A0, 0, out byte* from);
        if (err != 0) return err;
        err = Path(c, c.A1, 1, out byte* to);
        return err != 0 ? err : Sys.Call(HostNr.Rename, (long)from, (long)to);
    }

    public static long Renameat(in SyscallContext c) => RenameAt2(c, 0);

    public static long Renameat2(in SyscallContext c) => RenameAt2(c, (long)c.A4);

    static long RenameAt2(in SyscallContext c, long flags)
    {
        int err = Path(c, c.A1, 0, out byte* from);
        if (err != 0) return err;
        err = Path(c, c.A3, 1, out byte* to);
        return err != 0 ? err : Sys.Call(HostNr.Renameat2, (long)c.A0, (long)from, (long)c.A2, (long)to, flags);
    }

    public static long Link(in SyscallContext c)
    {
        int err = Path(c, c.A0, 0, out byte* from);
        if (err != 0) return err;
        err = Path(c, c.A1, 1, out byte* to);
        return err != 0 ? err : Sys.Call(HostNr.Link, (long)from, (long)to);
    }

    public static long Linkat(in SyscallContext c)
    {
        int err = Path(c, c.A1, 0, out byte* from);
        if (err != 0) return err;
        err = Path(c, c.A3, 1, out byte* to);
        return err != 0 ? err : Sys.Call(HostNr.Linkat, (long)c.A0, (long)from, (long)c.A2, (long)to, (long)c.A4);
    }

    // A symlink's target is stored as text, not looked up now, so it is never redirected into the sysroot.
    public static long Symlink(in SyscallContext c)
    {
        long len = c.CString(c.A0, GuestPaths.PathMax, out byte* target);
        if (len < 0) return len;
        int err = Path(c, c.A1, 1, out byte* link);
        return err != 0 ? err : Sys.Call(HostNr.Symlink, (long)target, (long)link);
    }

    public static long Symlinkat(in SyscallContext c)
    {
        long len = c.CString(c.A0, GuestPaths.PathMax, out byte* target);
        if (len < 0) return len;
        int err = Path(c, c.A2, 1, out byte* link);
        return err != 0 ? err : Sys.Call(HostNr.Symlinkat, (long)target, (long)c.A1, (long)link);
    }
}
