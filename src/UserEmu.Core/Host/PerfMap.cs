using System.Globalization;
using System.Text;

namespace UserEmu.Host;

/// <summary>-perfmap: names each native block's host code for Linux perf in /tmp/perf-PID.map ("start size guest-0xPC"), as qemu's -perfmap.</summary>
/// <remarks>
/// perf report reads the file after the run, so every line is written at once with write(2): a guest killed by a
/// signal or replaced by execve leaves a complete map. A forked child (a new PID, the parent's code still mapped)
/// starts its own file from a copy of its parent's.
/// </remarks>
public static unsafe class PerfMap
{
    const long SysOpen = 2;
    const int O_WRONLY = 1, O_CREAT = 0x40, O_TRUNC = 0x200, O_APPEND = 0x400, O_CLOEXEC = 0x80000;

    static readonly Lock Gate = new();
    static EmulatorDescriptor? _file;
    static int _pid;
    static readonly byte[] Line = new byte[64];

    static string PathFor(int pid) => $"/tmp/perf-{pid}.map";

    /// <summary>Records <paramref name="length"/> bytes of host code at <paramref name="start"/> as the block at guest <paramref name="guestPc"/>, or with <paramref name="cold"/> as its out-of-line part (guest-0xPC.cold, as gcc names a function's cold part).</summary>
    public static void Add(nint start, int length, ulong guestPc, bool cold = false)
    {
        lock (Gate)
        {
            int pid = LibC.getpid();
            if (pid != _pid) Open(pid);
            if (_file == null) return;
            var text = Line.AsSpan();
            int n = 0;
            ((ulong)start).TryFormat(text, out int w, "x", CultureInfo.InvariantCulture); n += w;
            text[n++] = (byte)' ';
            length.TryFormat(text[n..], out w, "x", CultureInfo.InvariantCulture); n += w;
            " guest-0x"u8.CopyTo(text[n..]); n += 9;
            guestPc.TryFormat(text[n..], out w, "x", CultureInfo.InvariantCulture); n += w;
            if (cold)
            {
                ".cold"u8.CopyTo(text[n..]);
                n += 5;
            }
            text[n++] = (byte)'\n';
            _file.WriteAll(text[..n]);
        }
    }

    static void Open(int pid)
    {
        int parent = _pid;
        _pid = pid;
        _file = null;
        var name = Encoding.UTF8.GetBytes(PathFor(pid) + "\0");
        long fd;
        fixed (byte* p = name) fd = LibC.syscall(SysOpen, (long)p, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0x1a4 /* 0644 */, 0, 0, 0);
        if (fd < 0)
        {
            HostStderr.Messages.WriteLine($"useremu: -perfmap: cannot create {PathFor(pid)}");
            return;
        }
        _file = EmulatorDescriptor.Adopt((int)fd);
        if (parent == 0) return;
        try
        {
            _file.WriteAll(File.ReadAllBytes(PathFor(parent)));
        }
        catch (IOException)
        {
            // The parent's map is gone: the child names only the blocks it translates itself.
        }
    }
}
