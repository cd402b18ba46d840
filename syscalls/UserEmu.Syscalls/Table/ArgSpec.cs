namespace UserEmu.Syscalls.Table;

/// <summary>One syscall argument: its kind and, for buffers and arrays, which argument holds the length.</summary>
/// <param name="Kind">How to interpret the register.</param>
/// <param name="Len">Index (0..5) of the argument giving the length or count; <see cref="LenFromReturn"/> when the
/// return value gives it (read, getdents64); <see cref="NoLen"/> otherwise.</param>
public readonly record struct ArgSpec(ArgKind Kind, sbyte Len = ArgSpec.NoLen)
{
    public const sbyte NoLen = -1;
    public const sbyte LenFromReturn = -2;

    public static implicit operator ArgSpec(ArgKind kind) => new(kind);

    public override string ToString() => Len switch
    {
        NoLen => Kind.ToString(),
        LenFromReturn => $"{Kind}(len=ret)",
        _ => $"{Kind}(len=arg{Len})",
    };
}

/// <summary>How a syscall's return value is shown on success (errors are always -1 ERRNO).</summary>
public enum ReturnKind : byte
{
    /// <summary>A signed integer (counts, 0 for success).</summary>
    Int,
    /// <summary>A new file descriptor.</summary>
    Fd,
    /// <summary>An address or mask, shown in hex (mmap, brk).</summary>
    Hex,
    /// <summary>The call does not return (exit, exit_group); strace prints "= ?".</summary>
    NoReturn,
}

/// <summary>strace's syscall classes (the -e trace=%file, %process... sets); a syscall can be in several.</summary>
[Flags]
public enum TraceClass : uint
{
    None = 0,
    /// <summary>%file: takes a file name.</summary>
    File = 1 << 0,
    /// <summary>%process: process lifecycle (fork, exec, exit, wait, kill).</summary>
    Process = 1 << 1,
    /// <summary>%network (%net).</summary>
    Network = 1 << 2,
    /// <summary>%signal.</summary>
    Signal = 1 << 3,
    /// <summary>%ipc: System V IPC.</summary>
    Ipc = 1 << 4,
    /// <summary>%desc: takes or returns a file descriptor.</summary>
    Desc = 1 << 5,
    /// <summary>%memory: memory mapping.</summary>
    Memory = 1 << 6,
    /// <summary>%creds: user/group ids and capabilities.</summary>
    Creds = 1 << 7,
    /// <summary>%clock: reads or changes clocks.</summary>
    Clock = 1 << 8,
    /// <summary>%stat / %lstat / %fstat / %%stat: the stat family.</summary>
    Stat = 1 << 9,
    Lstat = 1 << 10,
    Fstat = 1 << 11,
    StatLike = 1 << 12,
    /// <summary>%statfs / %fstatfs / %%statfs.</summary>
    Statfs = 1 << 13,
    Fstatfs = 1 << 14,
    StatfsLike = 1 << 15,
    /// <summary>%pure: no arguments, always succeeds (getpid, gettid...).</summary>
    Pure = 1 << 16,
}
