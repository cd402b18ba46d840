using System.Text;

namespace UserEmu.Host;

/// <summary>The emulator's own stderr (warnings, -d logs, errors): a copy of descriptor 2 written with write(2), a line at a time.</summary>
/// <remarks>
/// Not System.Console: its first use cost ~7 ms of every start (encodings, terminal and signal-handling setup, its own
/// duplicates of the standard descriptors). Like Console's, the copy is taken at start-up, so messages still reach the
/// emulator's stderr after the guest closes or redirects its descriptor 2 (an <see cref="EmulatorDescriptor"/>).
/// </remarks>
public sealed class HostStderr : TextWriter
{
    /// <summary>The writer; the first use takes the copy of descriptor 2 (EmulatorFds.Classify does, before it sorts descriptors).</summary>
    public static HostStderr Instance { get; } = new();

    /// <summary>Where the emulator's warnings and errors go: <see cref="Instance"/>, unless a test running the emulator in its own process captures them.</summary>
    public static TextWriter Messages { get; set; } = Instance;

    readonly EmulatorDescriptor _out = EmulatorDescriptor.CopyOf(2);
    readonly Lock _lock = new();
    readonly StringBuilder _pending = new();

    HostStderr() { }

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
        _out.WriteAll(bytes);
    }
}
