using System.Text;

namespace UserEmu.Syscalls.Strace.Names;

/// <summary>A set of named bits printed as strace does: known names joined with '|' in table order, the rest in hex.</summary>
public sealed class FlagNames((ulong Bits, string Name)[] names)
{
    public void Append(StringBuilder sb, ulong value, string zero = "0")
    {
        if (value == 0)
        {
            sb.Append(zero);
            return;
        }
        ulong rest = value;
        bool any = false;
        foreach (var (bits, name) in names)
        {
            if (bits == 0 || (rest & bits) != bits) continue;
            if (any) sb.Append('|');
            sb.Append(name);
            rest &= ~bits;
            any = true;
        }
        if (rest == 0) return;
        if (any) sb.Append('|');
        sb.Append($"0x{rest:x}");
    }

    public string Format(ulong value, string zero = "0")
    {
        var sb = new StringBuilder();
        Append(sb, value, zero);
        return sb.ToString();
    }
}

/// <summary>Named values of an enumeration; an unknown value is shown as strace does, in hex with a /* XXX_??? */ note.</summary>
public sealed class EnumNames
{
    readonly Dictionary<long, string> _names = new();
    readonly string? _unknown;
    readonly bool _decimal;

    /// <param name="unknown">The note for unknown values ("F_???"); null prints the bare number.</param>
    /// <param name="decimalUnknown">Unknown values in decimal instead of hex.</param>
    public EnumNames((long Value, string Name)[] names, string? unknown = null, bool decimalUnknown = false)
    {
        foreach (var (v, n) in names) _names.TryAdd(v, n);
        _unknown = unknown;
        _decimal = decimalUnknown;
    }

    public bool TryGet(long value, out string name) => _names.TryGetValue(value, out name!);

    public void Append(StringBuilder sb, long value)
    {
        if (_names.TryGetValue(value, out var name))
        {
            sb.Append(name);
            return;
        }
        if (_decimal) sb.Append(value);
        else sb.Append($"0x{value:x}");
        if (_unknown != null) sb.Append(" /* ").Append(_unknown).Append(" */");
    }
}
