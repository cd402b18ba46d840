namespace UserEmu.Loader;

/// <summary>What goes onto the guest's initial stack: arguments, environment and the values of the auxiliary vector.</summary>
public sealed class StackInputs
{
    public required string[] Argv { get; init; }
    public required string[] Envp { get; init; }
    /// <summary>The program path as given to execve (AT_EXECFN), not necessarily absolute.</summary>
    public required string ExecFn { get; init; }
    /// <summary>The main program (AT_PHDR, AT_PHENT, AT_PHNUM, AT_ENTRY come from it, never from the interpreter).</summary>
    public required LoadedImage Program { get; init; }
    /// <summary>The interpreter's load bias (AT_BASE), 0 for a program without PT_INTERP.</summary>
    public ulong InterpreterBase { get; init; }
    /// <summary>AT_HWCAP: on x86 the CPUID(1).EDX feature bits of the emulated CPU.</summary>
    public ulong HwCap { get; init; }
    /// <summary>AT_HWCAP2 (x86: bit 0 ring3mwait, bit 1 fsgsbase).</summary>
    public ulong HwCap2 { get; init; }
    /// <summary>AT_MINSIGSTKSZ: the signal frame size the emulated CPU's xsave state needs.</summary>
    public ulong MinSigStackSize { get; init; } = 2048;
    /// <summary>Map the stack executable (PT_GNU_STACK with PF_X).</summary>
    public bool ExecStack { get; init; }
}

/// <summary>The built initial stack: RSP for the first instruction, the auxv handed to the guest and where things were put.</summary>
public sealed class InitialStackLayout
{
    /// <summary>Initial RSP: 16-byte aligned, argc at [rsp].</summary>
    public required ulong StackPointer { get; init; }
    /// <summary>(type, value) pairs ending with AT_NULL, 0: the bytes of /proc/self/auxv.</summary>
    public required ulong[] Auxv { get; init; }
    /// <summary>The [stack] mapping.</summary>
    public required ulong StackLow { get; init; }
    public required ulong StackHigh { get; init; }
    /// <summary>argv strings [ArgStart, ArgEnd) and environment strings [EnvStart, EnvEnd): /proc/self/cmdline and environ.</summary>
    public required ulong ArgStart { get; init; }
    public required ulong ArgEnd { get; init; }
    public required ulong EnvStart { get; init; }
    public required ulong EnvEnd { get; init; }
    /// <summary>Addresses of the AT_RANDOM bytes and the AT_EXECFN string.</summary>
    public required ulong RandomAddress { get; init; }
    public required ulong ExecFnAddress { get; init; }
}
