using System.Text;
using UserEmu.Engine;
using UserEmu.Engine.Proc;
using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Paths;

/// <summary>
/// The /proc files in which the guest must see itself rather than the emulator (QEMU's fake_open): /proc/self/maps,
/// cmdline, environ, auxv, stat, status and exe, and /proc/cpuinfo; the same under /proc/&lt;own pid&gt;,
/// /proc/thread-self and task/&lt;tid&gt;. Other processes' files are the host's (as under QEMU, which rewrites its own
/// pid only): for another emulated guest they describe the emulator running it.
/// </summary>
/// <remarks>
/// Generated files are served from a memfd holding a snapshot taken at open time, as the kernel generates them
/// when read. /proc/self/exe opens the guest executable. Other /proc paths go to the host unchanged.
/// </remarks>
public static unsafe class ProcOverlay
{
    const int O_ACCMODE = 3, O_CLOEXEC = 0x80000, MFD_CLOEXEC = 1, AT_FDCWD = -100;

    /// <summary>The /proc/self/... file a path names ("maps", "exe"...), if it names one of this process; else null.</summary>
    public static string? SelfFile(ReadOnlySpan<byte> path, int pid)
    {
        if (!path.StartsWith("/proc/"u8)) return null;
        var rest = path["/proc/".Length..];
        int slash = rest.IndexOf((byte)'/');
        if (slash < 0) return rest.SequenceEqual("cpuinfo"u8) ? "cpuinfo" : null;
        var who = rest[..slash];
        var file = rest[(slash + 1)..];
        bool self = who.SequenceEqual("self"u8) || who.SequenceEqual("thread-self"u8) || IsNumber(who, pid);
        if (self && !who.SequenceEqual("thread-self"u8) && file.StartsWith("task/"u8))
        {
            // /proc/<pid>/task/<tid>/maps and the like: one of this process's threads sees the same as the process.
            var task = file[5..];
            int end = task.IndexOf((byte)'/');
            if (end <= 0 || !IsThreadOfThisProcess(task[..end])) return null;
            file = task[(end + 1)..];
        }
        return self && file.IndexOf((byte)'/') < 0 ? Encoding.ASCII.GetString(file) : null;
    }

    // The host's /proc/self/task/<tid> exists: tid is a thread of this process (a guest's or the runtime's).
    static bool IsThreadOfThisProcess(ReadOnlySpan<byte> tid)
    {
        if (tid.Length > 10) return false;
        foreach (byte b in tid)
            if (b is < (byte)'0' or > (byte)'9') return false;
        Span<byte> path = stackalloc byte[32];
        "/proc/self/task/"u8.CopyTo(path);
        tid.CopyTo(path[16..]);
        path[16 + tid.Length] = 0;
        fixed (byte* p = path)
            return Sys.Call(HostNr.Faccessat, AT_FDCWD, (long)p, 0, 0) == 0;
    }

    static bool IsNumber(ReadOnlySpan<byte> s, int value)
    {
        Span<byte> buf = stackalloc byte[12];
        return value.TryFormat(buf, out int n) && s.SequenceEqual(buf[..n]);
    }

    /// <summary>Opens an overlaid file; returns false when the path is not one (the caller opens the host's).</summary>
    public static bool TryOpen(in SyscallContext c, ReadOnlySpan<byte> path, long flags, long mode, out long result)
    {
        result = 0;
        string? file = SelfFile(path, c.Kernel.Pid);
        if (file == null) return false;
        var proc = c.Process;
        if (file == "exe" && proc.ExePath.Length > 0)
        {
            fixed (byte* p = NulTerminated(proc.ExePath))
                result = Sys.Call(HostNr.Openat, AT_FDCWD, (long)p, flags, mode);
            return true;
        }
        byte[]? content;
        try
        {
            content = Generate(proc, file);
        }
        catch (IOException)
        {
            // The host's own /proc file the text is based on could not be read.
            result = -Errno.EIO;
            return true;
        }
        if (content == null) return false;
        // The kernel's files are read-only.
        if ((flags & O_ACCMODE) != 0)
        {
            result = -Errno.EACCES;
            return true;
        }
        result = FromBytes(content, (flags & O_CLOEXEC) != 0);
        return true;
    }

    static byte[]? Generate(GuestProcess proc, string file) =>
        file switch
        {
            "maps" => Encoding.UTF8.GetBytes(ProcFiles.Maps(proc)),
            "cmdline" => ProcFiles.Cmdline(proc),
            "environ" => ProcFiles.Environ(proc),
            "auxv" => ProcFiles.Auxv(proc),
            "stat" => Encoding.UTF8.GetBytes(ProcFiles.Stat(proc, HostText("/proc/self/stat"))),
            "status" => Encoding.UTF8.GetBytes(ProcFiles.Status(proc, HostText("/proc/self/status"))),
            "cpuinfo" => Encoding.UTF8.GetBytes(ProcFiles.CpuInfo(proc.CpuModel, Environment.ProcessorCount)),
            _ => null,
        };

    /// <summary>readlink of /proc/self/exe names the guest executable, not the emulator.</summary>
    public static string? ReadlinkTarget(in SyscallContext c, ReadOnlySpan<byte> path) =>
        SelfFile(path, c.Kernel.Pid) == "exe" && c.Process.ExePath.Length > 0 ? c.Process.ExePath : null;

    static long FromBytes(byte[] content, bool cloexec)
    {
        long fd;
        fixed (byte* name = "useremu-proc\0"u8)
            fd = Sys.Call(HostNr.MemfdCreate, (long)name, cloexec ? MFD_CLOEXEC : 0);
        if (fd < 0) return fd;
        fixed (byte* p = content)
        {
            long done = 0;
            while (done < content.Length)
            {
                long w = Sys.Call(HostNr.Write, fd, (long)(p + done), content.Length - done);
                if (w == -Errno.EINTR) continue;
                if (w <= 0)
                {
                    Sys.Call(HostNr.Close, fd);
                    return w < 0 ? w : -Errno.EIO;
                }
                done += w;
            }
        }
        Sys.Call(HostNr.Lseek, fd, 0, 0);
        return fd;
    }

    static string HostText(string path) => File.ReadAllText(path);

    static byte[] NulTerminated(string s)
    {
        var b = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, b);
        return b;
    }
}
