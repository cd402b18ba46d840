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

    /// <summary>Bit n set: argument n is a descriptor the call acts on, so an emulator descriptor there gives EBADF.</summary>
    /// <remarks>
    /// Not the target of dup2/dup3 (the guest may take that number), another process's number (pidfd_getfd), nor
    /// mmap's fd, which MAP_ANONYMOUS ignores (its handler checks it).
    /// </remarks>
    public int UsedFdArgs { get; }

    /// <summary>Bit n set: argument n is an *at directory fd followed by its path, used unless the path is absolute.</summary>
    public int DirFdArgs { get; }

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
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i].Kind == ArgKind.Fd) UsedFdArgs |= 1 << i;
            if (args[i].Kind == ArgKind.AtDirFd && i + 1 < args.Length && args[i + 1].Kind == ArgKind.Path) DirFdArgs |= 1 << i;
        }
        if (name is "dup2" or "dup3" or "pidfd_getfd") UsedFdArgs &= ~2;
        if (name == "mmap") UsedFdArgs = 0;
    }

    /// <summary>Sets how the return value is shown (table construction only).</summary>
    internal SyscallEntry Returns(ReturnKind kind)
    {
        Return = kind;
        return this;
    }

    public override string ToString() => $"{Number} {Name}({string.Join(", ", _args)})";
}
