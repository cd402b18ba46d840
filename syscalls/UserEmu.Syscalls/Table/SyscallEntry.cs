namespace UserEmu.Syscalls.Table;

/// <summary>Carries out one syscall: reads its arguments from the context, returns the result or a negative errno.</summary>
/// <remarks>A <see cref="Memory.GuestFaultException"/> thrown by a guest memory access becomes -EFAULT in the dispatcher.</remarks>
public delegate long SyscallHandler(in SyscallContext c);

/// <summary>One row of a syscall table: number, name, argument kinds, strace class and handler.</summary>
public sealed class SyscallEntry
{
    public int Number { get; }
    public string Name { get; }
    public TraceClass Class { get; }
    public ReturnKind Return { get; private set; }
    /// <summary>Null when the emulator does not implement the call: the guest gets -ENOSYS and one warning.</summary>
    public SyscallHandler? Handler { get; }
    readonly ArgSpec[] _args;

    /// <summary>The arguments, in order; their count is the syscall's arity.</summary>
    public ReadOnlySpan<ArgSpec> Args => _args;

    internal SyscallEntry(int number, string name, TraceClass cls, SyscallHandler? handler, ArgSpec[] args)
    {
        if (args.Length > 6) throw new ArgumentException($"{name}: a syscall has at most 6 arguments");
        foreach (var a in args)
            if (a.Len >= args.Length) throw new ArgumentException($"{name}: length argument {a.Len} out of range");
        Number = number;
        Name = name;
        Class = cls;
        Handler = handler;
        _args = args;
    }

    /// <summary>Sets how the return value is shown (table construction only).</summary>
    internal SyscallEntry Returns(ReturnKind kind)
    {
        Return = kind;
        return this;
    }

    public override string ToString() => $"{Number} {Name}({string.Join(", ", _args)})";
}
