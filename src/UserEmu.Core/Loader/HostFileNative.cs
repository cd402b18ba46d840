using System.Runtime.InteropServices;

namespace UserEmu.Loader;

/// <summary>libc calls the loader needs to open a program with the exact errno the kernel's execve would see.</summary>
internal static unsafe partial class HostFileNative
{
    const string Lib = "libc";

    public const int O_RDONLY = 0, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    public const int AT_FDCWD = -100, AT_EACCESS = 0x200, AT_EMPTY_PATH = 0x1000;
    public const int X_OK = 1;
    public const uint STATX_BASIC_STATS = 0x7ff;
    public const int S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFDIR = 0x4000;

    // open(2) is variadic in C; passing the mode explicitly matches the x86-64 and AArch64 calling conventions.
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags, int mode);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int faccessat(int dirfd, string path, int mode, int flags);

    // struct statx has the same layout on every architecture, unlike struct stat.
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statx(int dirfd, string path, int flags, uint mask, byte* buf);

    /// <summary>The fields of struct statx the loader uses.</summary>
    public readonly record struct FileStat(int Mode, ulong Size, ulong Inode, ulong Device);

    /// <summary>fstat through statx; returns 0 or an errno.</summary>
    public static int Stat(int fd, out FileStat st)
    {
        byte* buf = stackalloc byte[256];
        new Span<byte>(buf, 256).Clear();
        if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, buf) != 0)
        {
            st = default;
            return Marshal.GetLastPInvokeError();
        }
        ushort mode = *(ushort*)(buf + 28);
        ulong ino = *(ulong*)(buf + 32), size = *(ulong*)(buf + 40);
        uint devMajor = *(uint*)(buf + 136), devMinor = *(uint*)(buf + 140);
        st = new FileStat(mode, size, ino, MakeDev(devMajor, devMinor));
        return 0;
    }

    /// <summary>glibc's makedev: the dev_t encoding stat(2) reports as st_dev.</summary>
    public static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) |
        ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);
}
