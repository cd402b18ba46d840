using System.Text;
using UserEmu.Host;
using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Strace;

/// <summary>Where trace lines go: stderr or a file, written with one write(2) per line and no user-space buffer.</summary>
/// <remarks>
/// Unbuffered whole-line writes keep a forked child from re-emitting its parent's buffered lines, and keep lines of
/// processes sharing the file (O_APPEND) from mixing.
/// </remarks>
public sealed unsafe class StraceOutput
{
    readonly EmulatorDescriptor _out;
    byte[] _bytes = new byte[4096];
    char[] _chars = new char[4096];

    StraceOutput(EmulatorDescriptor output) => _out = output;

    /// <summary>The emulator's stderr, through a private copy: the guest shares the descriptor table, and its own
    /// close(2) or dup2(file, 2) must not move the trace (strace's output never follows the tracee's redirections).</summary>
    public static StraceOutput Stderr() => new(EmulatorDescriptor.CopyOf(2));

    /// <summary>Opens <paramref name="path"/>, truncated unless <paramref name="append"/>; throws IOException when it cannot.</summary>
    /// <remarks>
    /// The descriptor becomes the emulator's, above the guest's numbers: opened after start-up, it took the guest's
    /// next number (its own open then got one more than natively) and showed in its /proc/self/fd.
    /// </remarks>
    public static StraceOutput OpenFile(string path, bool append = false)
    {
        const int O_WRONLY = 1, O_CREAT = 0x40, O_TRUNC = 0x200, O_APPEND = 0x400, O_CLOEXEC = 0x80000;
        var name = Encoding.UTF8.GetBytes(path + "\0");
        long fd;
        fixed (byte* p = name) fd = Sys.Call(HostNr.Open, (long)p, O_WRONLY | O_CREAT | (append ? 0 : O_TRUNC) | O_APPEND | O_CLOEXEC, 0x1a4 /* 0644 */);
        if (fd < 0) throw new IOException($"cannot open strace output '{path}': {ErrnoNames.Message((int)-fd)}");
        return new StraceOutput(EmulatorDescriptor.Adopt((int)fd));
    }

    /// <summary>Writes the builder's text (the caller serialises calls).</summary>
    public void Write(StringBuilder sb)
    {
        int n = sb.Length;
        if (_chars.Length < n) _chars = new char[Math.Max(n, _chars.Length * 2)];
        sb.CopyTo(0, _chars, 0, n);
        int max = Encoding.UTF8.GetMaxByteCount(n);
        if (_bytes.Length < max) _bytes = new byte[Math.Max(max, _bytes.Length * 2)];
        int len = Encoding.UTF8.GetBytes(_chars, 0, n, _bytes, 0);
        Write(_bytes.AsSpan(0, len));
    }

    public void Write(ReadOnlySpan<byte> data) => _out.WriteAll(data);
}
