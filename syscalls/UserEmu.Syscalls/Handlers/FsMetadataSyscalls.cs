using System.Text;
using UserEmu.Syscalls.Host;
using UserEmu.Syscalls.Paths;

namespace UserEmu.Syscalls.Handlers;

/// <summary>File metadata: the stat family, access checks, permissions, owners, timestamps, statfs and readlink.</summary>
/// <remarks>
/// The structs (stat 144 bytes, statx 256, statfs 120) are the x86-64 kernel's on both sides, so the host kernel
/// fills guest memory directly through the raw syscalls (glibc's wrappers would convert them).
/// </remarks>
public static unsafe class FsMetadataSyscalls
{
    const int AT_FDCWD = DescriptorSyscalls.AT_FDCWD;
    public const int StatSize = 144, StatxSize = 256, StatfsSize = 120;

    static int Path(in SyscallContext c, ulong addr, out byte* path) => c.Kernel.Paths.Resolve(c, addr, 0, out path);

    public static long Stat(in SyscallContext c)
    {
        int err = Path(c, c.A0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Stat, (long)path, (long)c.Out(c.A1, StatSize));
    }

    public static long Lstat(in SyscallContext c)
    {
        int err = Path(c, c.A0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Lstat, (long)path, (long)c.Out(c.A1, StatSize));
    }

    public static long Fstat(in SyscallContext c) => Sys.Call(HostNr.Fstat, (long)c.A0, (long)c.Out(c.A1, StatSize));

    /// <summary>newfstatat(dirfd, path, statbuf, flags); a NULL path is the host's to judge (allowed with AT_EMPTY_PATH since 6.11).</summary>
    public static long Newfstatat(in SyscallContext c)
    {
        int err = c.Kernel.Paths.ResolveOrNull(c, c.A1, 0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Newfstatat, (long)c.A0, (long)path, (long)c.Out(c.A2, StatSize), (long)c.A3);
    }

    /// <summary>statx(dirfd, path, flags, mask, statxbuf).</summary>
    public static long Statx(in SyscallContext c)
    {
        int err = c.Kernel.Paths.ResolveOrNull(c, c.A1, 0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Statx, (long)c.A0, (long)path, (long)c.A2, (long)c.A3, (long)c.Out(c.A4, StatxSize));
    }

    public static long Statfs(in SyscallContext c)
    {
        int err = Path(c, c.A0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Statfs, (long)path, (long)c.Out(c.A1, StatfsSize));
    }

    public static long Fstatfs(in SyscallContext c) => Sys.Call(HostNr.Fstatfs, (long)c.A0, (long)c.Out(c.A1, StatfsSize));

    public static long Access(in SyscallContext c)
    {
        int err = Path(c, c.A0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Access, (long)path, (long)c.A1);
    }

    public static long Faccessat(in SyscallContext c)
    {
        int err = Path(c, c.A1, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Faccessat, (long)c.A0, (long)path, (long)c.A2);
    }

    public static long Faccessat2(in SyscallContext c)
    {
        int err = Path(c, c.A1, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Faccessat2, (long)c.A0, (long)path, (long)c.A2, (long)c.A3);
    }

    public static long Chmod(in SyscallContext c)
    {
        int err = Path(c, c.A0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Chmod, (long)path, (long)c.A1);
    }

    public static long Fchmod(in SyscallContext c) => Sys.Call(HostNr.Fchmod, (long)c.A0, (long)c.A1);

    public static long Fchmodat(in SyscallContext c)
    {
        int err = Path(c, c.A1, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Fchmodat, (long)c.A0, (long)path, (long)c.A2);
    }

    public static long Fchmodat2(in SyscallContext c)
    {
        int err = Path(c, c.A1, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Fchmodat2, (long)c.A0, (long)path, (long)c.A2, (long)c.A3);
    }

    public static long Chown(in SyscallContext c)
    {
        int err = Path(c, c.A0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Chown, (long)path, (long)c.A1, (long)c.A2);
    }

    public static long Lchown(in SyscallContext c)
    {
        int err = Path(c, c.A0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Lchown, (long)path, (long)c.A1, (long)c.A2);
    }

    public static long Fchown(in SyscallContext c) => Sys.Call(HostNr.Fchown, (long)c.A0, (long)c.A1, (long)c.A2);

    public static long Fchownat(in SyscallContext c)
    {
        int err = Path(c, c.A1, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Fchownat, (long)c.A0, (long)path, (long)c.A2, (long)c.A3, (long)c.A4);
    }

    /// <summary>utimensat(dirfd, path or NULL (the fd itself), struct timespec[2] or NULL (now), flags).</summary>
    public static long Utimensat(in SyscallContext c)
    {
        int err = c.Kernel.Paths.ResolveOrNull(c, c.A1, 0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Utimensat, (long)c.A0, (long)path, (long)c.InOrNull(c.A2, 32), (long)c.A3);
    }

    /// <summary>futimesat(dirfd, path, struct timeval[2] or NULL).</summary>
    public static long Futimesat(in SyscallContext c)
    {
        int err = c.Kernel.Paths.ResolveOrNull(c, c.A1, 0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Futimesat, (long)c.A0, (long)path, (long)c.InOrNull(c.A2, 32));
    }

    public static long Utimes(in SyscallContext c)
    {
        int err = Path(c, c.A0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Utimes, (long)path, (long)c.InOrNull(c.A1, 32));
    }

    /// <summary>utime(path, struct utimbuf* or NULL): two longs, actime and modtime.</summary>
    public static long Utime(in SyscallContext c)
    {
        int err = Path(c, c.A0, out byte* path);
        return err != 0 ? err : Sys.Call(HostNr.Utime, (long)path, (long)c.InOrNull(c.A1, 16));
    }

    public static long Readlink(in SyscallContext c) => ReadlinkAt(c, AT_FDCWD, c.A0, c.A1, c.A2);

    public static long Readlinkat(in SyscallContext c) => ReadlinkAt(c, (long)c.A0, c.A1, c.A2, c.A3);

    /// <summary>readlink with /proc/self/exe naming the guest program: no NUL is added and the text is cut at bufsiz, as the kernel does.</summary>
    static long ReadlinkAt(in SyscallContext c, long dirfd, ulong pathAddr, ulong bufAddr, ulong bufsiz)
    {
        if ((int)bufsiz <= 0) return -Errno.EINVAL;
        long len = c.CString(pathAddr, GuestPaths.PathMax, out byte* raw);
        if (len < 0) return len;
        if (ProcOverlay.ReadlinkTarget(c, new ReadOnlySpan<byte>(raw, (int)len)) is { } target)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(target);
            int n = Math.Min(bytes.Length, (int)bufsiz);
            c.Mem.WriteBytes(bufAddr, bytes.AsSpan(0, n));
            return n;
        }
        int err = Path(c, pathAddr, out byte* path);
        if (err != 0) return err;
        ulong size = c.Buffer(bufAddr, (uint)(int)bufsiz, true, out byte* buf);
        return Sys.Call(HostNr.Readlinkat, dirfd, (long)path, (long)buf, (long)size);
    }
}
