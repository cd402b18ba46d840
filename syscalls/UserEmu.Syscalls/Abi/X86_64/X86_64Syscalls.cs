using UserEmu.Syscalls.Table;

namespace UserEmu.Syscalls.Abi.X86_64;

/// <summary>
/// The x86-64 syscall table: every number of Linux's arch/x86/entry/syscalls/syscall_64.tbl (0..336, 424..470) with
/// its name, argument kinds, strace class and handler. This is the one place a syscall is added.
/// </summary>
/// <remarks>
/// The definitions are split by number range (the files Nr000..Nr400) so each reads against the kernel's table.
/// A null handler marks a syscall the emulator knows but does not implement (-ENOSYS and one warning).
/// </remarks>
public static partial class X86_64Syscalls
{
    /// <summary>One past the highest x86-64 syscall number (listns = 470).</summary>
    public const int Count = 471;

    // Shadows System.IO.Path (implicit usings) so that the rows can say Path like the other kinds.
    const ArgKind Path = ArgKind.Path;

    public static SyscallTable Build()
    {
        var t = new SyscallTable("x86_64", Count);
        Define000(t);
        Define100(t);
        Define200(t);
        Define300(t);
        Define400(t);
        return t;
    }
}
