using System.Numerics;
using System.Text;
using UserEmu.Memory;
using static UserEmu.Loader.ElfConstants;

namespace UserEmu.Loader;

/// <summary>What the program headers ask for, checked before anything is mapped: loadable segments, their span, interpreter, stack and TLS.</summary>
internal sealed class ElfLayout
{
    const ulong PageMask = GuestAddressSpace.PageMask;

    /// <summary>PT_LOAD entries that occupy memory, in file order (later ones win where pages overlap, as with mmap).</summary>
    public required ElfProgramHeader[] Loads { get; init; }
    /// <summary>Page-aligned lowest unbiased address of the image.</summary>
    public required ulong LowPage { get; init; }
    /// <summary>Page-aligned size from <see cref="LowPage"/> to the end of the highest segment.</summary>
    public required ulong Span { get; init; }
    /// <summary>Unbiased end of the highest segment's memory (brk starts at its page-aligned value).</summary>
    public required ulong HighEnd { get; init; }
    /// <summary>Largest PT_LOAD p_align, at least a page: an ET_DYN bias must be a multiple of it.</summary>
    public required ulong MaxAlign { get; init; }
    /// <summary>Unbiased address of the program headers in memory, or null when no segment holds them.</summary>
    public required ulong? PhdrVAddr { get; init; }
    public required string? Interpreter { get; init; }
    public required bool ExecStack { get; init; }
    public required ElfProgramHeader? Tls { get; init; }

    public static ElfLayout Analyze(ElfHeaders h, ExecutableFile file, bool isInterpreter, ulong addressLimit)
    {
        // An array, not a List: List<ElfProgramHeader> has no ReadyToRun code and was JIT-compiled on every start.
        var loads = new ElfProgramHeader[h.Phdrs.Length];
        int loadCount = 0;
        ulong low = ulong.MaxValue, high = 0, maxAlign = GuestAddressSpace.PageSize;
        ulong? phdrFromLoad = null, phdrFromPhdr = null;
        string? interp = null;
        bool sawInterp = false, sawStack = false, execStack = false;
        ElfProgramHeader? tls = null;

        foreach (var p in h.Phdrs)
        {
            switch (p.Type)
            {
                case PT_LOAD:
                    if (!CheckLoad(p, file.Size, addressLimit)) continue;
                    loads[loadCount++] = p;
                    low = Math.Min(low, p.VAddr & ~PageMask);
                    high = Math.Max(high, p.VAddr + p.MemSize);
                    maxAlign = Math.Max(maxAlign, p.Align);
                    // The kernel's AT_PHDR: the first PT_LOAD whose file bytes contain the table.
                    if (phdrFromLoad == null && p.Offset <= h.PhOff && h.PhOff - p.Offset < p.FileSize)
                        phdrFromLoad = h.PhOff - p.Offset + p.VAddr;
                    break;
                case PT_INTERP:
                    // An interpreter's own PT_INTERP is ignored, as the kernel does; only the first one counts.
                    if (isInterpreter || sawInterp) break;
                    sawInterp = true;
                    interp = ReadInterpreter(p, file);
                    break;
                case PT_GNU_STACK:
                    if (sawStack) break;
                    sawStack = true;
                    execStack = (p.Flags & PF_X) != 0;
                    break;
                case PT_TLS:
                    tls ??= p;
                    break;
                case PT_PHDR:
                    phdrFromPhdr ??= p.VAddr;
                    break;
            }
        }

        if (loadCount == 0) throw new ExecFormatException("no loadable segments");
        // high cannot wrap here (CheckLoad), but its page-rounded value can.
        if (high > ulong.MaxValue - PageMask) throw TooLarge();
        ulong span = ((high + PageMask) & ~PageMask) - low;
        if (span > addressLimit) throw TooLarge();

        return new ElfLayout
        {
            Loads = Trim(loads, loadCount), LowPage = low, Span = span, HighEnd = high, MaxAlign = maxAlign,
            PhdrVAddr = phdrFromLoad ?? phdrFromPhdr, Interpreter = interp, ExecStack = execStack, Tls = tls,
        };
    }

    /// <summary>Validates one PT_LOAD; false for an empty one, which maps nothing.</summary>
    static bool CheckLoad(in ElfProgramHeader p, ulong fileSize, ulong addressLimit)
    {
        // p_align 0 and 1 both mean "no constraint" in the gABI.
        if (p.Align > 1 && !BitOperations.IsPow2(p.Align)) throw new ExecFormatException("p_align is not a power of two");
        if (p.FileSize > p.MemSize) throw new ExecFormatException("segment file size is larger than its memory size");
        if (p.MemSize == 0) return false;
        if (p.MemSize > addressLimit || p.VAddr + p.MemSize < p.VAddr) throw TooLarge();
        if (p.FileSize != 0)
        {
            if (p.Offset > fileSize || p.FileSize > fileSize - p.Offset)
                throw new ExecFormatException("segment points past the end of the file");
            // The kernel mmaps from PAGE_DOWN(p_offset) to PAGE_DOWN(p_vaddr); anything else cannot be mapped.
            if (((p.VAddr ^ p.Offset) & PageMask) != 0)
                throw new ExecFormatException("segment file offset and address differ modulo the page size");
        }
        return true;
    }

    static string ReadInterpreter(in ElfProgramHeader p, ExecutableFile file)
    {
        if (p.FileSize < 2 || p.FileSize > PathMax) throw new ExecFormatException("invalid interpreter path (PT_INTERP)");
        if (p.Offset > file.Size || p.FileSize > file.Size - p.Offset)
            throw new ExecFormatException("interpreter path points past the end of the file");
        var buf = new byte[p.FileSize];
        file.ReadExactly(p.Offset, buf);
        // Same rule as the kernel: the path must be NUL-terminated; it ends at the first NUL.
        int nul = Array.IndexOf(buf, (byte)0);
        if (buf[^1] != 0 || nul == 0) throw new ExecFormatException("invalid interpreter path (PT_INTERP)");
        return Encoding.UTF8.GetString(buf, 0, nul);
    }

    public static ExecFormatException TooLarge() => new("segment is too large", ExecFormatException.ExitCannotExecute, LinuxErrno.ENOMEM);

    // Array.Copy, not a range or span copy: those are framework generics over our struct, JIT-compiled at start-up.
    static ElfProgramHeader[] Trim(ElfProgramHeader[] loads, int count)
    {
        var trimmed = new ElfProgramHeader[count];
        Array.Copy(loads, trimmed, count);
        return trimmed;
    }
}
