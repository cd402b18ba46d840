using System.Runtime.InteropServices;
using System.Text;

namespace UserEmu.Host;

/// <summary>Small host file reads made with system calls directly: /proc files, symbolic links, descriptor lists.</summary>
/// <remarks>
/// System.IO's FileStream, FileSystemInfo and directory enumeration each cost milliseconds of type loading on first
/// use, and every emulator start used them for a few /proc reads (about 15 ms of a `busybox true`).
/// </remarks>
public static unsafe class HostFiles
{
    const int SysRead = 0, SysOpen = 2, SysClose = 3, SysReadlink = 89, SysGetdents64 = 217;
    const int O_RDONLY = 0, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000, EINTR = 4, PathMax = 4096;

    /// <summary>All of <paramref name="path"/>, read until end of file (a /proc file's size is not known beforehand); IOException if it cannot be read.</summary>
    public static byte[] ReadAll(string path)
    {
        int fd = Open(path, O_RDONLY);
        try
        {
            var buffer = new byte[4096];
            int length = 0;
            while (true)
            {
                if (length == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                long n;
                fixed (byte* p = &buffer[length]) n = Call(SysRead, fd, (long)p, buffer.Length - length);
                if (n < 0) throw Failure(path);
                if (n == 0) return buffer[..length];
                length += (int)n;
            }
        }
        finally
        {
            LibC.close(fd);
        }
    }

    /// <summary>The target of the symbolic link <paramref name="path"/> (UTF-8, as FileSystemInfo.LinkTarget decodes it); null if it is not a link or cannot be read.</summary>
    public static string? ReadLink(string path)
    {
        var name = GuestText.EncodeCString(path);
        byte* target = stackalloc byte[PathMax];
        long n;
        fixed (byte* p = name) n = Call(SysReadlink, (long)p, (long)target, PathMax);
        return n < 0 ? null : Encoding.UTF8.GetString(target, (int)n);
    }

    /// <summary>The entries of directory <paramref name="path"/> whose names are decimal numbers (/proc/self/fd, /proc/self/task); IOException if it cannot be read.</summary>
    public static List<int> NumericEntries(string path)
    {
        int fd = Open(path, O_RDONLY | O_DIRECTORY);
        var numbers = new List<int>();
        try
        {
            byte* buffer = stackalloc byte[4096];
            while (true)
            {
                long n = Call(SysGetdents64, fd, (long)buffer, 4096);
                if (n < 0) throw Failure(path);
                if (n == 0) return numbers;
                // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name (NUL-terminated).
                for (long at = 0; at < n; at += *(ushort*)(buffer + at + 16))
                {
                    byte* name = buffer + at + 19;
                    int value = 0, digits = 0;
                    for (; name[digits] is >= (byte)'0' and <= (byte)'9' && digits < 10; digits++) value = value * 10 + (name[digits] - '0');
                    if (digits > 0 && name[digits] == 0) numbers.Add(value);
                }
            }
        }
        finally
        {
            LibC.close(fd);
        }
    }

    static int Open(string path, int flags)
    {
        var name = GuestText.EncodeCString(path);
        long fd;
        fixed (byte* p = name) fd = Call(SysOpen, (long)p, flags | O_CLOEXEC, 0);
        return fd >= 0 ? (int)fd : throw Failure(path);
    }

    /// <summary>A system call, repeated while a signal interrupts it; -1 with the errno left for <see cref="Failure"/>.</summary>
    static long Call(long number, long a0, long a1, long a2)
    {
        long r;
        do r = LibC.syscall(number, a0, a1, a2, 0, 0, 0);
        while (r == -1 && LibC.Errno == EINTR);
        return r;
    }

    static IOException Failure(string path) => new($"{path}: {Marshal.GetPInvokeErrorMessage(LibC.Errno)}");
}
