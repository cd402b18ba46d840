namespace UserEmu.Loader;

/// <summary>Auxiliary vector entry types (include/uapi/linux/auxvec.h plus the x86 additions).</summary>
public static class AuxvType
{
    public const ulong AT_NULL = 0;
    public const ulong AT_IGNORE = 1;
    public const ulong AT_EXECFD = 2;
    public const ulong AT_PHDR = 3;
    public const ulong AT_PHENT = 4;
    public const ulong AT_PHNUM = 5;
    public const ulong AT_PAGESZ = 6;
    public const ulong AT_BASE = 7;
    public const ulong AT_FLAGS = 8;
    public const ulong AT_ENTRY = 9;
    public const ulong AT_NOTELF = 10;
    public const ulong AT_UID = 11;
    public const ulong AT_EUID = 12;
    public const ulong AT_GID = 13;
    public const ulong AT_EGID = 14;
    public const ulong AT_PLATFORM = 15;
    public const ulong AT_HWCAP = 16;
    public const ulong AT_CLKTCK = 17;
    public const ulong AT_SECURE = 23;
    public const ulong AT_BASE_PLATFORM = 24;
    public const ulong AT_RANDOM = 25;
    public const ulong AT_HWCAP2 = 26;
    public const ulong AT_RSEQ_FEATURE_SIZE = 27;
    public const ulong AT_RSEQ_ALIGN = 28;
    public const ulong AT_HWCAP3 = 29;
    public const ulong AT_HWCAP4 = 30;
    public const ulong AT_EXECFN = 31;
    public const ulong AT_SYSINFO = 32;
    public const ulong AT_SYSINFO_EHDR = 33;
    public const ulong AT_MINSIGSTKSZ = 51;

    /// <summary>The AT_* name of a type, for -strace and debugging output.</summary>
    public static string Name(ulong type) => type switch
    {
        AT_NULL => "AT_NULL", AT_IGNORE => "AT_IGNORE", AT_EXECFD => "AT_EXECFD", AT_PHDR => "AT_PHDR",
        AT_PHENT => "AT_PHENT", AT_PHNUM => "AT_PHNUM", AT_PAGESZ => "AT_PAGESZ", AT_BASE => "AT_BASE",
        AT_FLAGS => "AT_FLAGS", AT_ENTRY => "AT_ENTRY", AT_NOTELF => "AT_NOTELF", AT_UID => "AT_UID",
        AT_EUID => "AT_EUID", AT_GID => "AT_GID", AT_EGID => "AT_EGID", AT_PLATFORM => "AT_PLATFORM",
        AT_HWCAP => "AT_HWCAP", AT_CLKTCK => "AT_CLKTCK", AT_SECURE => "AT_SECURE",
        AT_BASE_PLATFORM => "AT_BASE_PLATFORM", AT_RANDOM => "AT_RANDOM", AT_HWCAP2 => "AT_HWCAP2",
        AT_RSEQ_FEATURE_SIZE => "AT_RSEQ_FEATURE_SIZE", AT_RSEQ_ALIGN => "AT_RSEQ_ALIGN",
        AT_HWCAP3 => "AT_HWCAP3", AT_HWCAP4 => "AT_HWCAP4", AT_EXECFN => "AT_EXECFN",
        AT_SYSINFO => "AT_SYSINFO", AT_SYSINFO_EHDR => "AT_SYSINFO_EHDR", AT_MINSIGSTKSZ => "AT_MINSIGSTKSZ",
        _ => $"AT_{type}",
    };
}
