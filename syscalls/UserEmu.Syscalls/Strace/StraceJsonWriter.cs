using System.Buffers;
using System.Text;
using System.Text.Json;
using UserEmu.Syscalls.Strace.Decoders;
using UserEmu.Syscalls.Table;

namespace UserEmu.Syscalls.Strace;

/// <summary>-strace-format json: one JSON object per line for each call, signal and exit, written with a reused Utf8JsonWriter.</summary>
/// <remarks>
/// A call's object holds pid, tid, name, nr, the decoded arguments (strace's text of each), the raw registers, the
/// result (null when the call does not return), errno, the text strace prints after " = ", the start time (Unix
/// seconds) and the duration in seconds. Callers serialise the writes.
/// </remarks>
public sealed class StraceJsonWriter
{
    readonly ArrayBufferWriter<byte> _buffer = new(1024);
    readonly Utf8JsonWriter _writer;
    readonly StringBuilder _text = new(256);
    char[] _chars = new char[256];
    static readonly byte[] Newline = "\n"u8.ToArray();

    public StraceJsonWriter() => _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    void Begin()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStartObject();
    }

    void End(StraceOutput output)
    {
        _writer.WriteEndObject();
        _writer.Flush();
        output.Write(_buffer.WrittenSpan);
        output.Write(Newline);
    }

    /// <summary>Writes the builder's text as a JSON string value without making a string.</summary>
    void WriteText(StringBuilder sb)
    {
        if (_chars.Length < sb.Length) _chars = new char[Math.Max(sb.Length, _chars.Length * 2)];
        sb.CopyTo(0, _chars, 0, sb.Length);
        _writer.WriteStringValue(_chars.AsSpan(0, sb.Length));
    }

    public void WriteCall(StraceOutput output, int pid, int tid, TraceCall call, long durationTicks)
    {
        Begin();
        _writer.WriteNumber("pid"u8, pid);
        _writer.WriteNumber("tid"u8, tid);
        _writer.WriteString("name"u8, call.Name);
        _writer.WriteNumber("nr"u8, call.Number);
        _writer.WriteStartArray("args"u8);
        var entry = call.Entry;
        if (entry == null)
        {
            for (int i = 0; i < 6; i++)
            {
                _text.Clear();
                StraceFormat.Hex(_text, call.Arg(i));
                WriteText(_text);
            }
        }
        else
        {
            for (int i = 0; i < entry.Args.Length; i++)
            {
                if (!ArgDecoder.IsShown(call, i)) continue;
                _text.Clear();
                ArgDecoder.Append(_text, call, i);
                WriteText(_text);
            }
        }
        _writer.WriteEndArray();
        _writer.WriteStartArray("raw"u8);
        int arity = entry?.Args.Length ?? 6;
        for (int i = 0; i < arity; i++) _writer.WriteNumberValue(call.Arg(i));
        _writer.WriteEndArray();
        if (call.Exited)
        {
            _writer.WriteNumber("ret"u8, call.Result);
            int err = ErrnoNames.FromResult(call.Result);
            if (err != 0) _writer.WriteString("errno"u8, ErrnoNames.Name(err));
            else _writer.WriteNull("errno"u8);
        }
        else
        {
            _writer.WriteNull("ret"u8);
            _writer.WriteNull("errno"u8);
        }
        _text.Clear();
        StraceReturn.Append(_text, call);
        _writer.WritePropertyName("retstr"u8);
        WriteText(_text);
        _writer.WriteNumber("start"u8, Math.Round((call.StartTime - DateTime.UnixEpoch).TotalSeconds, 6));
        _writer.WriteNumber("duration"u8, Math.Round((double)durationTicks / System.Diagnostics.Stopwatch.Frequency, 9));
        End(output);
    }

    public void WriteStart(StraceOutput output, int pid, string path, string argv, string envp, ulong envpAddr)
    {
        Begin();
        _writer.WriteNumber("pid"u8, pid);
        _writer.WriteNumber("tid"u8, pid);
        _writer.WriteString("name"u8, "execve");
        _writer.WriteNumber("nr"u8, 59);
        _writer.WriteStartArray("args"u8);
        _writer.WriteStringValue(path);
        _writer.WriteStringValue(argv);
        _writer.WriteStringValue(envp);
        _writer.WriteEndArray();
        _writer.WriteStartArray("raw"u8);
        _writer.WriteNumberValue(0);
        _writer.WriteNumberValue(0);
        _writer.WriteNumberValue(envpAddr);
        _writer.WriteEndArray();
        _writer.WriteNumber("ret"u8, 0);
        _writer.WriteNull("errno"u8);
        _writer.WriteString("retstr"u8, "0");
        _writer.WriteNumber("start"u8, Math.Round((DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds, 6));
        _writer.WriteNumber("duration"u8, 0);
        End(output);
    }

    public void WriteSignal(StraceOutput output, int pid, int tid, string signal, string siginfo)
    {
        Begin();
        _writer.WriteNumber("pid"u8, pid);
        _writer.WriteNumber("tid"u8, tid);
        _writer.WriteString("signal"u8, signal);
        _writer.WriteString("siginfo"u8, siginfo);
        End(output);
    }

    public void WriteEnd(StraceOutput output, int pid, int status, string? killedBy)
    {
        Begin();
        _writer.WriteNumber("pid"u8, pid);
        _writer.WriteNumber("tid"u8, pid);
        if (killedBy != null) _writer.WriteString("killed"u8, killedBy);
        else _writer.WriteNumber("exited"u8, status);
        End(output);
    }
}
