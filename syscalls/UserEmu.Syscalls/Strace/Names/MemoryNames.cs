namespace UserEmu.Syscalls.Strace.Names;

/// <summary>strace's names for the memory-mapping calls' flags (x86-64 values).</summary>
public static class MemoryNames
{
    public static readonly FlagNames Prot = new([
        (1, "PROT_READ"), (2, "PROT_WRITE"), (4, "PROT_EXEC"), (8, "PROT_SEM"), (0x01000000, "PROT_GROWSDOWN"), (0x02000000, "PROT_GROWSUP"),
    ]);

    /// <summary>The mapping type in the low bits (MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE), printed first.</summary>
    public static readonly EnumNames MapType = new([(1, "MAP_SHARED"), (2, "MAP_PRIVATE"), (3, "MAP_SHARED_VALIDATE"), (8, "MAP_DROPPABLE")]);

    public static readonly FlagNames MapFlags = new([
        (0x10, "MAP_FIXED"), (0x20, "MAP_ANONYMOUS"), (0x40, "MAP_32BIT"), (0x4000, "MAP_NORESERVE"), (0x8000, "MAP_POPULATE"),
        (0x10000, "MAP_NONBLOCK"), (0x100, "MAP_GROWSDOWN"), (0x800, "MAP_DENYWRITE"), (0x1000, "MAP_EXECUTABLE"),
        (0x2000, "MAP_LOCKED"), (0x20000, "MAP_STACK"), (0x40000, "MAP_HUGETLB"), (0x80000, "MAP_SYNC"),
        (0x4000000, "MAP_UNINITIALIZED"), (0x100000, "MAP_FIXED_NOREPLACE"),
    ]);

    public static readonly FlagNames MremapFlags = new([(1, "MREMAP_MAYMOVE"), (2, "MREMAP_FIXED"), (4, "MREMAP_DONTUNMAP")]);

    public static readonly FlagNames MsyncFlags = new([(1, "MS_ASYNC"), (2, "MS_INVALIDATE"), (4, "MS_SYNC")]);

    public static readonly EnumNames MadviseAdvice = new([
        (0, "MADV_NORMAL"), (1, "MADV_RANDOM"), (2, "MADV_SEQUENTIAL"), (3, "MADV_WILLNEED"), (4, "MADV_DONTNEED"), (8, "MADV_FREE"),
        (9, "MADV_REMOVE"), (10, "MADV_DONTFORK"), (11, "MADV_DOFORK"), (12, "MADV_MERGEABLE"), (13, "MADV_UNMERGEABLE"),
        (14, "MADV_HUGEPAGE"), (15, "MADV_NOHUGEPAGE"), (16, "MADV_DONTDUMP"), (17, "MADV_DODUMP"), (18, "MADV_WIPEONFORK"),
        (19, "MADV_KEEPONFORK"), (20, "MADV_COLD"), (21, "MADV_PAGEOUT"), (22, "MADV_POPULATE_READ"), (23, "MADV_POPULATE_WRITE"),
        (24, "MADV_DONTNEED_LOCKED"), (25, "MADV_COLLAPSE"), (100, "MADV_HWPOISON"), (101, "MADV_SOFT_OFFLINE"),
    ], "MADV_???");
}
