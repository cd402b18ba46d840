namespace UserEmu.Host;

/// <summary>The fields of a /proc/&lt;pid&gt;/stat line after the command name, which may itself hold spaces and parentheses.</summary>
public static class ProcStatFields
{
    /// <summary>Index of field <paramref name="field"/> (numbered as in proc(5), state = 3) in <see cref="Split"/>'s array.</summary>
    public static int Index(int field) => field - 3;

    /// <summary>The space-separated fields after the last ")", from state (field 3) on.</summary>
    public static string[] Split(string stat) => stat[(stat.LastIndexOf(')') + 2)..].TrimEnd('\n').Split(' ');
}
