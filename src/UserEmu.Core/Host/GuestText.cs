using System.Text;

namespace UserEmu.Host;

/// <summary>
/// Guest strings (arguments, environment, exec'd names) carried as .NET strings without losing bytes that are not UTF-8:
/// each such byte becomes the lone surrogate U+DC00 + byte on the way in and the byte again on the way out (Python's
/// "surrogateescape", PEP 383). A program given a Latin-1 file name as an argument sees exactly those bytes, as natively.
/// </summary>
public static class GuestText
{
    /// <summary>Decodes <paramref name="bytes"/> as UTF-8, escaping every byte that is not part of a valid sequence.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        Span<char> pair = stackalloc char[2];
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out var rune, out int used) == System.Buffers.OperationStatus.Done)
            {
                sb.Append(pair[..rune.EncodeToUtf16(pair)]);
                bytes = bytes[used..];
            }
            else
            {
                sb.Append((char)(0xDC00 + bytes[0]));
                bytes = bytes[1..];
            }
        }
        return sb.ToString();
    }

    /// <summary>Encodes <paramref name="s"/> as UTF-8, turning the escapes of <see cref="Decode"/> back into their bytes, and appends a NUL.</summary>
    public static byte[] EncodeCString(string s)
    {
        var bytes = new List<byte>(s.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < s.Length;)
        {
            if (Rune.DecodeFromUtf16(s.AsSpan(i), out var rune, out int used) == System.Buffers.OperationStatus.Done)
            {
                int n = rune.EncodeToUtf8(utf8);
                for (int k = 0; k < n; k++) bytes.Add(utf8[k]);
            }
            else if (s[i] is >= '\uDC80' and <= '\uDCFF')
            {
                bytes.Add((byte)(s[i] - 0xDC00));
                used = 1;
            }
            else
            {
                bytes.Add(0xEF); // U+FFFD
                bytes.Add(0xBF);
                bytes.Add(0xBD);
                used = 1;
            }
            i += used;
        }
        bytes.Add(0);
        return bytes.ToArray();
    }

    /// <summary>
    /// This process's arguments as the kernel passed them (/proc/self/cmdline), decoded losslessly: the runtime's
    /// <paramref name="args"/> replace bytes that are not UTF-8 with U+FFFD. They are the cmdline's last items.
    /// </summary>
    public static string[] RawArguments(string[] args)
    {
        try
        {
            var items = ReadList("/proc/self/cmdline");
            return items.Count >= args.Length ? items.GetRange(items.Count - args.Length, args.Length).ToArray() : args;
        }
        catch (IOException)
        {
            return args;
        }
    }

    /// <summary>The strings of a NUL-separated /proc file (cmdline, environ), decoded losslessly.</summary>
    public static List<string> ReadList(string path)
    {
        var raw = HostFiles.ReadAll(path);
        var items = new List<string>();
        for (int start = 0, i = 0; i < raw.Length; i++)
        {
            if (raw[i] != 0) continue;
            items.Add(Decode(raw.AsSpan(start, i - start)));
            start = i + 1;
        }
        return items;
    }
}
