namespace UserEmu.Engine;

/// <summary>A synchronous signal raised by guest execution (SIGILL, SIGFPE, SIGTRAP, SIGSEGV from #GP...), at the instruction whose PC is in the vCPU state.</summary>
public sealed class GuestSignalException(int signal, int code, ulong address = 0, string? detail = null) : Exception(detail)
{
    public int Signal { get; } = signal;
    /// <summary>si_code (e.g. ILL_ILLOPN, FPE_INTDIV, SI_KERNEL).</summary>
    public int Code { get; } = code;
    /// <summary>si_addr.</summary>
    public ulong Address { get; } = address;
    public string? Detail { get; } = detail;
}

/// <summary>The guest thread group ended through exit_group (or the last thread's exit).</summary>
public sealed class GuestExitException(int status) : Exception
{
    public int Status { get; } = status;
}

/// <summary>One guest thread ended through exit (not exit_group); other threads go on.</summary>
public sealed class GuestThreadExitException(int status) : Exception
{
    public int Status { get; } = status;
}

/// <summary>The current guest instruction lost a race on its locked memory operand and must run again from its start (state is as before it).</summary>
public sealed class RetryInstructionException() : Exception("locked access retried");
