namespace UserEmu.Loader;

/// <summary>An ELF image mapped into the guest: where it landed and what the initial stack and auxv must tell the guest about it.</summary>
public sealed class LoadedImage
{
    /// <summary>Absolute host path of the file, symlinks resolved (/proc/self/exe, mapping names).</summary>
    public required string Path { get; init; }
    /// <summary>Entry point, load bias applied.</summary>
    public required ulong Entry { get; init; }
    /// <summary>Added to every p_vaddr: 0 for ET_EXEC, the placement for ET_DYN (AT_BASE for an interpreter).</summary>
    public required ulong LoadBias { get; init; }
    /// <summary>Guest address of the program header table (AT_PHDR); 0 if no segment maps it.</summary>
    public required ulong PhdrAddress { get; init; }
    /// <summary>e_phentsize (AT_PHENT).</summary>
    public required int PhEntSize { get; init; }
    /// <summary>e_phnum (AT_PHNUM).</summary>
    public required int PhCount { get; init; }
    /// <summary>Page-aligned end of the highest segment: where the program break starts.</summary>
    public required ulong BrkStart { get; init; }
    /// <summary>PT_GNU_STACK asked for an executable stack (absent PT_GNU_STACK means no on x86-64).</summary>
    public required bool ExecStack { get; init; }
    /// <summary>PT_INTERP path as written in the file (not resolved against any sysroot); null for static programs and for interpreters.</summary>
    public required string? Interpreter { get; init; }
    /// <summary>True for ET_DYN (PIE, static-pie, ld.so).</summary>
    public required bool IsDynamic { get; init; }
    /// <summary>Guest range the image spans, from its lowest to its highest segment page (gaps inside are unmapped).</summary>
    public required ulong StartAddress { get; init; }
    public required ulong EndAddress { get; init; }
    /// <summary>PT_TLS, biased; glibc reads it from the phdrs itself, this is for diagnostics.</summary>
    public required TlsSegment? Tls { get; init; }
    /// <summary>Host device (glibc dev_t encoding) and inode of the file, as /proc/self/maps shows them.</summary>
    public required ulong Device { get; init; }
    public required ulong Inode { get; init; }
}

/// <summary>The PT_TLS template: initialised bytes at Address, FileSize of them, MemSize in all, aligned to Align.</summary>
public readonly record struct TlsSegment(ulong Address, ulong FileSize, ulong MemSize, ulong Align);
