using System.Text;

namespace UserEmu.Syscalls.Strace;

/// <summary>strace's rendering of guest byte strings: C escapes, octal for the rest, cut at -s bytes with "..." after the quote.</summary>
public static class StraceText
{
    /// <summary>strace's default -s.</summary>
    public const int DefaultStringLimit = 32;

    /// <summary>Quotes <paramref name="data"/>; <paramref name="more"/> says the source continues beyond it (prints the ellipsis).</summary>
    public static void Quote(StringBuilder sb, ReadOnlySpan<byte> data, int limit, bool more = false)
    {
        bool cut = data.Length > limit;
        if (cut) data = data[..limit];
        sb.Append('"');
        for (int k = 0; k < data.Length; k++)
        {
            byte c = data[k];
            switch (c)
            {
                case (byte)'"': sb.Append("\\\""); break;
                case (byte)'\\': sb.Append("\\\\"); break;
                case (byte)'\f': sb.Append("\\f"); break;
                case (byte)'\n': sb.Append("\\n"); break;
                case (byte)'\r': sb.Append("\\r"); break;
                case (byte)'\t': sb.Append("\\t"); break;
                case (byte)'\v': sb.Append("\\v"); break;
                default:
                    if (c >= 0x20 && c < 0x7f) sb.Append((char)c);
                    else
                    {
                        // Shortest octal form unless the next byte is an octal digit, which would merge with it.
                        bool nextIsDigit = k + 1 < data.Length && data[k + 1] >= (byte)'0' && data[k + 1] <= (byte)'7';
                        sb.Append('\\');
                        if (nextIsDigit || c >= 64) sb.Append((char)('0' + (c >> 6)));
                        if (nextIsDigit || c >= 8) sb.Append((char)('0' + ((c >> 3) & 7)));
                        sb.Append((char)('0' + (c & 7)));
                    }
                    break;
            }
        }
        sb.Append('"');
        if (cut || more) sb.Append("...");
    }

    public static string Quote(ReadOnlySpan<byte> data, int limit = DefaultStringLimit, bool more = false)
    {
        var sb = new StringBuilder(data.Length + 8);
        Quote(sb, data, limit, more);
        return sb.ToString();
    }

    /// <summary>Renders a value as a set of named flags ("O_RDONLY|O_CLOEXEC"), with any leftover bits in hex as strace does.</summary>
    public static string Flags(ulong value, IReadOnlyList<(ulong Bit, string Name)> names, string zero = "0")
    {
        if (value == 0) return zero;
        var parts = new List<string>();
        ulong rest = value;
        foreach (var (bit, name) in names)
        {
            if (bit != 0 && (rest & bit) == bit)
            {
                parts.Add(name);
                rest &= ~bit;
            }
        }
        if (rest != 0) parts.Add($"0x{rest:x}");
        return string.Join('|', parts);
    }

    /// <summary>A pointer as strace prints it: NULL or 0x-hex.</summary>
    public static string Pointer(ulong p) => p == 0 ? "NULL" : $"0x{p:x}";
}
