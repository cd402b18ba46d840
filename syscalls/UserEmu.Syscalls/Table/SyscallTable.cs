namespace UserEmu.Syscalls.Table;

/// <summary>The syscalls of one guest ABI indexed by number: what the dispatcher runs and what a tracer prints.</summary>
public sealed class SyscallTable
{
    readonly SyscallEntry?[] _entries;
    readonly Dictionary<string, SyscallEntry> _byName = new(StringComparer.Ordinal);

    /// <summary>ABI name, e.g. "x86_64".</summary>
    public string Abi { get; }

    /// <summary>One past the highest syscall number the table can hold.</summary>
    public int Size => _entries.Length;

    public SyscallTable(string abi, int size)
    {
        Abi = abi;
        _entries = new SyscallEntry?[size];
    }

    /// <summary>The entry for <paramref name="number"/>, or null for numbers no kernel assigns (gaps, out of range).</summary>
    public SyscallEntry? this[ulong number] => number < (ulong)_entries.Length ? _entries[number] : null;

    public SyscallEntry? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Every assigned entry, by number.</summary>
    public IEnumerable<SyscallEntry> Entries => _entries.Where(e => e != null)!;

    /// <summary>Defines a syscall; a null handler means "known but not implemented".</summary>
    public SyscallEntry Add(int number, string name, TraceClass cls, SyscallHandler? handler, params ArgSpec[] args)
    {
        if (_entries[number] != null) throw new InvalidOperationException($"syscall {number} defined twice ({_entries[number]!.Name}, {name})");
        var e = new SyscallEntry(number, name, cls, handler, args);
        _entries[number] = e;
        _byName.Add(name, e);
        return e;
    }

    /// <summary>An argument whose length (or count) is argument <paramref name="lenArg"/>.</summary>
    public static ArgSpec L(ArgKind kind, int lenArg) => new(kind, (sbyte)lenArg);

    /// <summary>An argument whose length (or count) is the return value.</summary>
    public static ArgSpec R(ArgKind kind) => new(kind, ArgSpec.LenFromReturn);
}
