namespace UserEmu.Memory;

/// <summary>Why a guest memory access failed, as the kernel's si_code would say.</summary>
public enum FaultKind : byte
{
    /// <summary>No mapping at the address (SEGV_MAPERR).</summary>
    Unmapped = 1,
    /// <summary>A mapping exists but forbids the access (SEGV_ACCERR).</summary>
    Protection = 2,
    /// <summary>A non-canonical address: #GP, which Linux reports as SIGSEGV with SI_KERNEL and si_addr 0.</summary>
    GeneralProtection = 3,
    /// <summary>A file mapping's page past the file's end (SIGBUS, BUS_ADRERR).</summary>
    Bus = 4,
}

/// <summary>A guest access to memory it may not touch; becomes SIGSEGV in the guest or EFAULT in a syscall.</summary>
public sealed class GuestFaultException : Exception
{
    public ulong Address { get; }
    public FaultKind Kind { get; }
    public bool IsWrite { get; }

    public GuestFaultException(ulong address, FaultKind kind, bool isWrite)
        : base(null)
    {
        Address = address;
        Kind = kind;
        IsWrite = isWrite;
    }

    public override string Message => $"guest {(IsWrite ? "write" : "read")} fault at 0x{Address:x} ({Kind})";
}
