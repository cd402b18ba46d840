using System.Text;

namespace UserEmu.Host;

/// <summary>The emulator's own stderr (warnings, -d logs, errors): a copy of descriptor 2 written with write(2), a line at a time.</summary>
/// <remarks>
/// Not System.Console: its first use cost ~7 ms of every start (encodings, terminal and signal-handling setup, its own
/// duplicates of the standard descriptors). Like Console's, the copy is taken at start-up, so messages still reach the
/// emulator's stderr after the guest closes or redirects its descriptor 2; it sits above the guest's numbers among the
/// runtime's own (not at strace's 900: growing a threaded process's descriptor table waits for an RCU grace period)
/// and is close-on-exec, an emulator descriptor the guest cannot see.
/// </remarks>
public sealed unsafe class HostStderr : TextWriter
{
    const int SysWrite = 1, SysFcntl = 72, F_DUPFD_CLOEXEC = 1030, EINTR = 4;

    /// <summary>The writer; the first use takes the copy of descriptor 2 (EmulatorFds.Classify does, before it sorts descriptors).</summary>
    public static HostStderr Instance { get; } = new();

    /// <summary>Where the emulator's warnings and errors go: <see cref="Instance"/>, unless a test running the emulator in its own process captures them.</summary>
    public static TextWriter Messages { get; set; } = Instance;

    readonly int _fd;
    readonly Lock _lock = new();
    readonly StringBuilder _pending = new();

    HostStderr()
    {
        long fd = LibC.syscall(SysFcntl, 2, F_DUPFD_CLOEXEC, DescriptorReservation.Top, 0, 0, 0);
        _fd = fd >= 0 ? (int)fd : 2;
    }

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_lock)
        {
            _pending.Append(value);
            if (value == '\n') FlushLocked();
        }
    }

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(ReadOnlySpan<char> value)
    {
        lock (_lock)
        {
            _pending.Append(value);
            if (value.Contains('\n')) FlushLocked();
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_lock)
        {
            _pending.Append(value).Append('\n');
            FlushLocked();
        }
    }

    public override void Flush()
    {
        lock (_lock) FlushLocked();
    }

    void FlushLocked()
    {
        if (_pending.Length == 0) return;
        var bytes = Encoding.UTF8.GetBytes(_pending.ToString());
        _pending.Clear();
        fixed (byte* p = bytes)
        {
            for (int done = 0; done < bytes.Length;)
            {
                long n = LibC.syscall(SysWrite, _fd, (long)(p + done), bytes.Length - done, 0, 0, 0);
                if (n > 0) done += (int)n;
                else if (n == 0 || LibC.Errno != EINTR) return; // a closed or broken stderr: the message is lost, as with Console
            }
        }
    }
}
