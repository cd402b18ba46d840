namespace UserEmu.Loader;

/// <summary>ELF numbers from the gABI and the GNU extensions that the loader looks at.</summary>
internal static class ElfConstants
{
    public const int EI_CLASS = 4, EI_DATA = 5;
    public const byte ELFCLASS32 = 1, ELFCLASS64 = 2;
    public const byte ELFDATA2LSB = 1, ELFDATA2MSB = 2;

    public const ushort ET_NONE = 0, ET_REL = 1, ET_EXEC = 2, ET_DYN = 3, ET_CORE = 4;
    public const ushort EM_X86_64 = 62;

    public const uint PT_NULL = 0, PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4, PT_PHDR = 6, PT_TLS = 7;
    public const uint PT_GNU_STACK = 0x6474e551;

    public const uint PF_X = 1, PF_W = 2, PF_R = 4;

    /// <summary>sizeof(Elf64_Ehdr) and sizeof(Elf64_Phdr).</summary>
    public const int Ehdr64Size = 64, Phdr64Size = 56;

    /// <summary>The kernel refuses program header tables larger than this (load_elf_phdrs).</summary>
    public const int MaxPhdrTableBytes = 65536;

    /// <summary>PATH_MAX: the longest PT_INTERP the kernel accepts.</summary>
    public const int PathMax = 4096;

    /// <summary>vm.mmap_min_addr default: nothing may be mapped below it.</summary>
    public const ulong MmapMinAddr = 0x10000;
}
