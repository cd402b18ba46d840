using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using static UserEmu.Loader.HostFileNative;

namespace UserEmu.Loader;

/// <summary>An opened program or interpreter file: handle, size, identity for /proc/self/maps and its resolved path.</summary>
internal sealed class ExecutableFile : IDisposable
{
    public required SafeFileHandle Handle { get; init; }
    public required ulong Size { get; init; }
    public required ulong Device { get; init; }
    public required ulong Inode { get; init; }
    /// <summary>Absolute path with symlinks resolved, as the kernel names the file in /proc/self/maps.</summary>
    public required string ResolvedPath { get; init; }

    /// <summary>Opens <paramref name="path"/> the way execve would judge it, throwing <see cref="ExecFormatException"/> on failure.</summary>
    public static ExecutableFile Open(string path, bool requireExecutable)
    {
        // execve("") and names with NUL cannot name a file.
        if (string.IsNullOrEmpty(path) || path.Contains('\0')) throw ExecFormatException.NotFound();

        // O_NONBLOCK so that a FIFO cannot hang us before we reject it as not a regular file.
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
        if (fd < 0) throw FromErrno(Marshal.GetLastPInvokeError());
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            int err = Stat(fd, out var st);
            if (err != 0) throw FromErrno(err);
            if ((st.Mode & S_IFMT) == S_IFDIR) throw new ExecFormatException("is a directory", ExecFormatException.ExitCannotExecute, LinuxErrno.EACCES);
            // The kernel only executes regular files (devices, sockets, FIFOs give EACCES).
            if ((st.Mode & S_IFMT) != S_IFREG) throw ExecFormatException.PermissionDenied();
            // Effective ids, as the kernel's permission check for exec uses them.
            if (requireExecutable && faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) != 0)
                throw FromErrno(Marshal.GetLastPInvokeError());
            return new ExecutableFile
            {
                Handle = handle, Size = st.Size, Device = st.Device, Inode = st.Inode,
                ResolvedPath = Resolve(fd, path),
            };
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    static string Resolve(int fd, string path)
    {
        // The fd link names the file actually opened, with every symlink on the way resolved.
        string? target = UserEmu.Host.HostFiles.ReadLink($"/proc/self/fd/{fd}");
        return target != null && target.StartsWith('/') ? target : Path.GetFullPath(path);
    }

    /// <summary>The one-line message and exit status for an errno from opening or checking a program.</summary>
    public static ExecFormatException FromErrno(int errno) => errno switch
    {
        LinuxErrno.ENOENT => ExecFormatException.NotFound(),
        LinuxErrno.EACCES or 1 /* EPERM */ => ExecFormatException.PermissionDenied(),
        LinuxErrno.ENOTDIR => new ExecFormatException("not a directory", ExecFormatException.ExitCannotExecute, errno),
        LinuxErrno.ELOOP => new ExecFormatException("too many levels of symbolic links", ExecFormatException.ExitCannotExecute, errno),
        LinuxErrno.ENAMETOOLONG => new ExecFormatException("file name too long", ExecFormatException.ExitCannotExecute, errno),
        _ => new ExecFormatException(LowerFirst(Marshal.GetPInvokeErrorMessage(errno)), ExecFormatException.ExitCannotExecute, errno),
    };

    static string LowerFirst(string s) => s.Length > 0 && char.IsUpper(s[0]) && (s.Length == 1 || !char.IsUpper(s[1]))
        ? char.ToLowerInvariant(s[0]) + s[1..] : s;

    /// <summary>Reads exactly dst.Length bytes at <paramref name="offset"/>; callers have checked the range against <see cref="Size"/>.</summary>
    public void ReadExactly(ulong offset, Span<byte> dst)
    {
        try
        {
            while (!dst.IsEmpty)
            {
                int n = RandomAccess.Read(Handle, dst, (long)offset);
                // The file shrank after we sized it.
                if (n <= 0) throw new ExecFormatException("file changed while it was being loaded", ExecFormatException.ExitCannotExecute, LinuxErrno.EIO);
                dst = dst[n..];
                offset += (ulong)n;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new ExecFormatException($"read error: {e.Message}", ExecFormatException.ExitCannotExecute, LinuxErrno.EIO, e);
        }
    }

    public void Dispose() => Handle.Dispose();
}
