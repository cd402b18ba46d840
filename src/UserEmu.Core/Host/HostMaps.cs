using System.Globalization;

namespace UserEmu.Host;

/// <summary>Reads the host kernel's own description of one of our host mappings from /proc/self/maps.</summary>
public static class HostMaps
{
    /// <summary>The device (st_dev encoding), inode and name of the host mapping that starts at <paramref name="hostAddr"/>.</summary>
    /// <returns>False if no host mapping starts there.</returns>
    public static bool Describe(nint hostAddr, out ulong device, out ulong inode, out string? name)
    {
        device = inode = 0;
        name = null;
        string prefix = ((ulong)hostAddr).ToString("x") + "-";
        StreamReader reader;
        try
        {
            reader = new StreamReader("/proc/self/maps");
        }
        catch (IOException)
        {
            return false; // no /proc: the caller falls back to what it knows
        }
        using var _ = reader;
        while (reader.ReadLine() is { } line)
        {
            if (!line.StartsWith(prefix, StringComparison.Ordinal)) continue;
            // start-end perms offset major:minor inode [name]
            var parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 5) return false;
            var dev = parts[3].Split(':');
            device = Loader.HostFileNative.MakeDev(uint.Parse(dev[0], NumberStyles.HexNumber), uint.Parse(dev[1], NumberStyles.HexNumber));
            inode = ulong.Parse(parts[4], CultureInfo.InvariantCulture);
            name = parts.Length > 5 ? parts[5].TrimStart() : null;
            return true;
        }
        return false;
    }
}
