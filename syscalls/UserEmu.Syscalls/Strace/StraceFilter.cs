using UserEmu.Syscalls.Table;

namespace UserEmu.Syscalls.Strace;

/// <summary>strace's -e trace=SET: syscall names and %classes, optionally negated with '!'; one flag per syscall number.</summary>
public sealed class StraceFilter
{
    readonly bool[] _traced;
    readonly bool _unknownTraced;

    StraceFilter(bool[] traced, bool unknownTraced)
    {
        _traced = traced;
        _unknownTraced = unknownTraced;
    }

    /// <summary>Every syscall (no -strace=set).</summary>
    public static StraceFilter All(SyscallTable table) => new(Enumerable.Repeat(true, table.Size).ToArray(), true);

    static readonly Dictionary<string, TraceClass> Classes = new(StringComparer.Ordinal)
    {
        ["%file"] = TraceClass.File, ["file"] = TraceClass.File,
        ["%process"] = TraceClass.Process, ["process"] = TraceClass.Process,
        ["%network"] = TraceClass.Network, ["%net"] = TraceClass.Network, ["network"] = TraceClass.Network,
        ["%signal"] = TraceClass.Signal, ["signal"] = TraceClass.Signal,
        ["%ipc"] = TraceClass.Ipc, ["ipc"] = TraceClass.Ipc,
        ["%desc"] = TraceClass.Desc, ["desc"] = TraceClass.Desc,
        ["%memory"] = TraceClass.Memory, ["memory"] = TraceClass.Memory,
        ["%creds"] = TraceClass.Creds, ["%clock"] = TraceClass.Clock, ["%pure"] = TraceClass.Pure,
        ["%stat"] = TraceClass.Stat, ["%lstat"] = TraceClass.Lstat, ["%fstat"] = TraceClass.Fstat, ["%%stat"] = TraceClass.StatLike,
        ["%statfs"] = TraceClass.Statfs, ["%fstatfs"] = TraceClass.Fstatfs, ["%%statfs"] = TraceClass.StatfsLike,
    };

    /// <summary>Parses "openat,read", "%file,write", "/^mmap|munmap$/" (a regex over names), "!%memory", "all", "none"; throws <see cref="ArgumentException"/> naming an unknown item.</summary>
    public static StraceFilter Parse(string set, SyscallTable table)
    {
        bool negate = set.StartsWith('!');
        if (negate) set = set[1..];
        var traced = new bool[table.Size];
        bool unknown = false;
        foreach (var raw in set.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (raw == "all")
            {
                Array.Fill(traced, true);
                unknown = true;
            }
            else if (raw == "none") { }
            else if (Classes.TryGetValue(raw, out var cls))
            {
                foreach (var e in table.Entries)
                    if ((e.Class & cls) != 0) traced[e.Number] = true;
            }
            else if (raw.StartsWith('/'))
            {
                var regex = new System.Text.RegularExpressions.Regex(raw[1..].TrimEnd('/'));
                foreach (var entry in table.Entries)
                    if (regex.IsMatch(entry.Name)) traced[entry.Number] = true;
            }
            else if (table.Find(raw) is { } e) traced[e.Number] = true;
            else throw new ArgumentException($"invalid system call '{raw}'");
        }
        if (negate)
        {
            for (int k = 0; k < traced.Length; k++) traced[k] = !traced[k];
            unknown = !unknown;
        }
        return new StraceFilter(traced, unknown);
    }

    public bool Traces(ulong nr) => nr < (ulong)_traced.Length ? _traced[nr] : _unknownTraced;
}
