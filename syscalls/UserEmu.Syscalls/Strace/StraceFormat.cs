using System.Text;

namespace UserEmu.Syscalls.Strace;

/// <summary>Small printing rules shared by the decoders: pointers, octal modes, numbers as strace writes them.</summary>
public static class StraceFormat
{
    /// <summary>NULL or 0x-hex.</summary>
    public static void Pointer(StringBuilder sb, ulong p)
    {
        if (p == 0) sb.Append("NULL");
        else Hex(sb, p);
    }

    /// <summary>Prints NULL or the bare pointer, as strace does, when a structure at <paramref name="addr"/> cannot be read; false when it can.</summary>
    public static bool Unreadable(StringBuilder sb, TraceMemory mem, ulong addr, int size)
    {
        if (addr == 0)
        {
            sb.Append("NULL");
            return true;
        }
        if (mem.CanRead(addr, (ulong)size)) return false;
        Pointer(sb, addr);
        return true;
    }

    /// <summary>A guest value, or default when unreadable (callers have checked with <see cref="Unreadable"/>).</summary>
    public static T At<T>(TraceMemory mem, ulong addr) where T : unmanaged => mem.TryRead(addr, out T v) ? v : default;

    /// <summary>%#lx: 0 or 0x-hex.</summary>
    public static void Hex(StringBuilder sb, ulong v)
    {
        if (v == 0) sb.Append('0');
        else sb.Append($"0x{v:x}");
    }

    /// <summary>%#03o: a file mode in octal with a leading 0, at least three digits.</summary>
    public static void Octal(StringBuilder sb, ulong v)
    {
        string o = v == 0 ? "" : Convert.ToString((long)v, 8);
        sb.Append('0');
        for (int k = o.Length + 1; k < 3; k++) sb.Append('0');
        sb.Append(o);
    }

    /// <summary>st_mode / stx_mode: S_IFREG|S_ISUID|0755.</summary>
    public static void FileMode(StringBuilder sb, uint mode)
    {
        uint type = mode & 0xF000;
        if (type != 0)
        {
            Names.FileNames.FileTypes.Append(sb, type);
            sb.Append('|');
        }
        if ((mode & 0x800) != 0) sb.Append("S_ISUID|");
        if ((mode & 0x400) != 0) sb.Append("S_ISGID|");
        if ((mode & 0x200) != 0) sb.Append("S_ISVTX|");
        Octal(sb, mode & 0x1FF);
    }

    /// <summary>A device number as makedev(0xMAJ, 0xMIN).</summary>
    public static void Device(StringBuilder sb, ulong dev)
    {
        ulong major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffUL);
        ulong minor = (dev & 0xff) | ((dev >> 12) & ~0xffUL);
        sb.Append("makedev(");
        Hex(sb, major);
        sb.Append(", ");
        Hex(sb, minor);
        sb.Append(')');
    }

    /// <summary>A quoted, escaped guest string cut at <paramref name="limit"/> bytes ("..." after the quote when cut).</summary>
    public static void Quote(StringBuilder sb, ReadOnlySpan<byte> data, int limit, bool more = false) =>
        StraceText.Quote(sb, data, limit, more);

    /// <summary>A quoted string with every byte as \xNN (strace's QUOTE_FORCE_HEX, used for random bytes).</summary>
    public static void QuoteHex(StringBuilder sb, ReadOnlySpan<byte> data, int limit)
    {
        bool cut = data.Length > limit;
        if (cut) data = data[..limit];
        sb.Append('"');
        foreach (byte b in data) sb.Append($"\\x{b:x2}");
        sb.Append('"');
        if (cut) sb.Append("...");
    }
}
