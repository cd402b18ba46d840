namespace UserEmu.Memory;

/// <summary>Per-page bits of the guest page table: guest permissions plus emulator bookkeeping.</summary>
[Flags]
public enum PageFlags : byte
{
    None = 0,
    Read = 1,
    Write = 2,
    Exec = 4,
    /// <summary>Translated code was made from this page: writes must invalidate it (self-modifying code).</summary>
    HasCode = 8,
    /// <summary>The page belongs to a mapping (even a PROT_NONE one), for SEGV_MAPERR vs SEGV_ACCERR.</summary>
    Mapped = 16,
    /// <summary>
    /// A page of a file mapping wholly past the file's end (when mapped): the guest's access bits are kept clear so
    /// every access reaches <see cref="GuestAddressSpace.Check"/>, which raises SIGBUS unless the file has grown.
    /// </summary>
    PastEof = 32,
}
