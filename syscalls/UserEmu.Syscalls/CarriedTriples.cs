using System.Globalization;

namespace UserEmu.Syscalls;

/// <summary>The "a:b:c,..." hex lists in which an execve hands the guest's kernel-kept state to the emulator it starts (-guest-rlimits, -guest-itimers).</summary>
public static class CarriedTriples
{
    /// <summary>The list of <paramref name="items"/>; null when there are none.</summary>
    public static string? Format(IEnumerable<(int Key, ulong First, ulong Second)> items)
    {
        string list = string.Join(',', items.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key:x}:{t.First:x}:{t.Second:x}")));
        return list.Length == 0 ? null : list;
    }

    /// <summary>The items of <paramref name="list"/>, or null if it is malformed.</summary>
    public static List<(int Key, ulong First, ulong Second)>? Parse(string list)
    {
        var items = new List<(int, ulong, ulong)>();
        foreach (var item in list.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = item.Split(':');
            if (f.Length != 3 || !int.TryParse(f[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int key)
                || !ulong.TryParse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong first)
                || !ulong.TryParse(f[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong second))
                return null;
            items.Add((key, first, second));
        }
        return items;
    }
}
