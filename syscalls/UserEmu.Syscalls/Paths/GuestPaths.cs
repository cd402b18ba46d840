using System.Runtime.InteropServices;
using System.Text;
using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Paths;

/// <summary>Turns guest path arguments into host path pointers, redirecting absolute paths into the -L sysroot.</summary>
/// <remarks>
/// Like QEMU's path(): with a sysroot, an absolute guest path that exists under it is used from there, and any other
/// path (relative, or absent under the sysroot, e.g. a file about to be created) is used as given. Without a sysroot
/// the guest's own bytes are passed in place, so the common case copies nothing.
/// </remarks>
public sealed unsafe class GuestPaths
{
    /// <summary>PATH_MAX, including the NUL.</summary>
    public const int PathMax = 4096;
    const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100;

    readonly byte[]? _root;

    public GuestPaths(string sysRoot)
    {
        string root = sysRoot.TrimEnd('/');
        _root = root.Length == 0 ? null : Encoding.UTF8.GetBytes(root);
    }

    public bool HasSysRoot => _root != null;

    /// <summary>
    /// Resolves the guest path at <paramref name="addr"/>. <paramref name="slot"/> (0 or 1) picks the scratch buffer
    /// when a call takes two paths (rename, link), so the first result stays valid while the second is made.
    /// </summary>
    /// <returns>0, -EFAULT or -ENAMETOOLONG.</returns>
    public int Resolve(in SyscallContext c, ulong addr, int slot, out byte* host)
    {
        long len = c.CString(addr, PathMax, out host);
        if (len < 0) return (int)len;
        if (len > 9 && host[1] == (byte)'p' && host[0] == (byte)'/' && UserEmu.Host.EmulatorFds.Any &&
            ProcFdView.NamesEmulatorFd(new ReadOnlySpan<byte>(host, (int)len), c.Kernel.Pid))
            return -Errno.ENOENT; // the emulator's descriptors are not in the guest's /proc/self/fd
        if (_root == null || len == 0 || host[0] != (byte)'/') return 0;

        if (_root.Length + len >= 2 * PathMax) return -Errno.ENAMETOOLONG;
        byte* buf = Scratch.For(slot);
        _root.CopyTo(new Span<byte>(buf, _root.Length));
        new ReadOnlySpan<byte>(host, (int)len + 1).CopyTo(new Span<byte>(buf + _root.Length, (int)len + 1));
        if (Sys.Call(HostNr.Faccessat, AT_FDCWD, (long)buf, 0 /* F_OK */, AT_SYMLINK_NOFOLLOW) == 0) host = buf;
        return 0;
    }

    /// <summary>
    /// The sysroot copy of an absolute guest path given as bytes without a NUL (an AF_UNIX socket's sun_path), written
    /// NUL-terminated to <paramref name="dest"/> when it exists under the sysroot and fits.
    /// </summary>
    /// <returns>The redirected path's length without the NUL, or -1 when the guest path is to be used as given.</returns>
    public int RedirectUnderRoot(ReadOnlySpan<byte> path, Span<byte> dest)
    {
        if (_root == null || path.Length == 0 || path[0] != (byte)'/' || _root.Length + path.Length + 1 > dest.Length) return -1;
        _root.CopyTo(dest);
        path.CopyTo(dest[_root.Length..]);
        int len = _root.Length + path.Length;
        dest[len] = 0;
        fixed (byte* p = dest)
            return Sys.Call(HostNr.Faccessat, AT_FDCWD, (long)p, 0 /* F_OK */, AT_SYMLINK_NOFOLLOW) == 0 ? len : -1;
    }

    /// <summary>As <see cref="Resolve"/> for an optional path (utimensat): a guest NULL gives a host NULL.</summary>
    public int ResolveOrNull(in SyscallContext c, ulong addr, int slot, out byte* host)
    {
        host = null;
        return addr == 0 ? 0 : Resolve(c, addr, slot, out host);
    }

    /// <summary>Per-thread native buffers (sysroot + path) for redirected paths; freed when the thread's holder is collected.</summary>
    sealed class Scratch
    {
        [ThreadStatic] static Scratch? t_current;
        const int Size = 2 * PathMax;
        readonly byte* _a = (byte*)NativeMemory.Alloc(Size), _b = (byte*)NativeMemory.Alloc(Size);

        ~Scratch()
        {
            NativeMemory.Free(_a);
            NativeMemory.Free(_b);
        }

        public static byte* For(int slot)
        {
            var s = t_current ??= new Scratch();
            return (slot & 1) == 0 ? s._a : s._b;
        }
    }
}
