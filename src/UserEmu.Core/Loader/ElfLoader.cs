using UserEmu.Memory;
using static UserEmu.Loader.ElfConstants;

namespace UserEmu.Loader;

/// <summary>Maps an x86-64 ELF executable or interpreter into a guest address space as Linux's binfmt_elf does.</summary>
public static unsafe class ElfLoader
{
    const ulong PageSize = GuestAddressSpace.PageSize, PageMask = GuestAddressSpace.PageMask;
    const PageFlags RW = PageFlags.Read | PageFlags.Write;

    /// <summary>
    /// Loads <paramref name="path"/>: ET_EXEC at its linked addresses, an ET_DYN program at <see cref="GuestAddressSpace.DynExecBase"/>,
    /// an ET_DYN interpreter wherever mmap places it. For a program (not an interpreter) the program break is initialised too.
    /// Every failure is an <see cref="ExecFormatException"/>, and leaves nothing mapped.
    /// </summary>
    public static LoadedImage Load(GuestAddressSpace mem, string path, bool isInterpreter = false)
    {
        ArgumentNullException.ThrowIfNull(mem);
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var file = ExecutableFile.Open(path, requireExecutable: !isInterpreter);
            var headers = ElfHeaders.Read(file);
            var layout = ElfLayout.Analyze(headers, file, isInterpreter, mem.Limit);
            return MapImage(mem, file, headers, layout, isInterpreter);
        }
        catch (ExecFormatException)
        {
            throw;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or OverflowException)
        {
            // Safety net: a hostile file must surface as a one-line exec error, never as a .NET stack trace.
            throw new ExecFormatException($"cannot load: {e.Message}", ExecFormatException.ExitCannotExecute, LinuxErrno.EIO, e);
        }
    }

    static LoadedImage MapImage(GuestAddressSpace mem, ExecutableFile file, ElfHeaders h, ElfLayout layout, bool isInterpreter)
    {
        bool dyn = h.Type == ET_DYN;
        ulong bias = Reserve(mem, layout, dyn, isInterpreter);
        ulong start = unchecked(layout.LowPage + bias);
        try
        {
            // ET_DYN biases wrap modulo 2^64 like the kernel's unsigned arithmetic.
            ulong entry = unchecked(h.Entry + bias);
            if (entry >= mem.Limit) throw new ExecFormatException("entry point is outside the guest address space");
            foreach (var p in layout.Loads) MapSegment(mem, file, p, bias);
            ProtectSegments(mem, layout, bias);
            UnmapGaps(mem, layout, bias, start, start + layout.Span);

            ulong brk = GuestAddressSpace.PageAlignUp(unchecked(layout.HighEnd + bias));
            if (!isInterpreter) mem.InitBrk(brk);
            var tls = layout.Tls is { } t ? new TlsSegment(unchecked(t.VAddr + bias), t.FileSize, t.MemSize, t.Align) : (TlsSegment?)null;
            return new LoadedImage
            {
                Path = file.ResolvedPath, Entry = entry, LoadBias = bias,
                PhdrAddress = layout.PhdrVAddr is { } ph ? unchecked(ph + bias) : 0,
                PhEntSize = Phdr64Size, PhCount = h.Phdrs.Length, BrkStart = brk, ExecStack = layout.ExecStack,
                Interpreter = layout.Interpreter, IsDynamic = dyn, StartAddress = start, EndAddress = start + layout.Span,
                Tls = tls, Device = file.Device, Inode = file.Inode,
            };
        }
        catch
        {
            mem.Unmap(start, layout.Span);
            throw;
        }
    }

    /// <summary>Claims the whole image span in one mapping (so segments cannot collide with anything) and returns the load bias.</summary>
    static ulong Reserve(GuestAddressSpace mem, ElfLayout layout, bool dyn, bool isInterpreter)
    {
        ulong span = layout.Span;
        if (!dyn)
        {
            ulong at = layout.LowPage;
            if (at < MmapMinAddr) throw new ExecFormatException($"segment at 0x{at:x} is below the lowest mappable address", ExecFormatException.ExitCannotExecute, LinuxErrno.EINVAL);
            if (at > mem.Limit || span > mem.Limit - at) throw new ExecFormatException($"segment at 0x{at:x} is outside the guest address space", ExecFormatException.ExitCannotExecute, LinuxErrno.ENOMEM);
            Check(mem.Map(new MapRequest(at, span, RW, Shared: false, Fixed: false, NoReplace: true)));
            return 0;
        }

        ulong align = layout.MaxAlign;
        if (!isInterpreter)
        {
            // ELF_ET_DYN_BASE rounded down to the largest p_align, as the kernel aligns load_bias (no randomisation).
            ulong baseAddr = mem.DynExecBase & ~(align - 1);
            ulong bias = unchecked(baseAddr - (layout.LowPage & ~(align - 1)));
            ulong at = unchecked(layout.LowPage + bias);
            if (at < MmapMinAddr) throw new ExecFormatException("p_align is too large");
            if (at > mem.Limit || span > mem.Limit - at) throw ElfLayout.TooLarge();
            Check(mem.Map(new MapRequest(at, span, RW, Shared: false, Fixed: false, NoReplace: true)));
            return bias;
        }

        // Interpreter: top-down mmap placement (hint = its own link address), over-reserving to honour p_align.
        ulong extra = align > PageSize ? align - PageSize : 0;
        if (span > mem.Limit - extra) throw ElfLayout.TooLarge();
        long r = mem.Map(new MapRequest(layout.LowPage, span + extra, RW, Shared: false, Fixed: false, NoReplace: false));
        Check(r);
        ulong got = (ulong)r;
        ulong start = got + unchecked((layout.LowPage - got) & (align - 1));
        if (start > got) mem.Unmap(got, start - got);
        if (got + span + extra > start + span) mem.Unmap(start + span, got + span + extra - (start + span));
        return unchecked(start - layout.LowPage);
    }

    static void Check(long mapResult)
    {
        if (mapResult >= 0) return;
        throw (int)-mapResult switch
        {
            MemErrno.EEXIST => new ExecFormatException("segments overlap an existing mapping", ExecFormatException.ExitCannotExecute, LinuxErrno.EEXIST),
            MemErrno.ENOMEM => ElfLayout.TooLarge(),
            int e => new ExecFormatException($"cannot map segment (errno {e})", ExecFormatException.ExitCannotExecute, e),
        };
    }

    /// <summary>
    /// Maps one segment RW: its file pages from the file itself (private, as the kernel maps them), extra bss pages
    /// anonymous. Segments go in file order, each replacing pages an earlier one shared with it, exactly as successive
    /// mmaps do.
    /// </summary>
    /// <remarks>
    /// Mapped rather than copied: a program reads in only the pages it touches (busybox true touches a few dozen of
    /// busybox's 400; cc1, 30 MB) instead of the whole file being copied into fresh memory at every start.
    /// </remarks>
    static void MapSegment(GuestAddressSpace mem, ExecutableFile file, in ElfProgramHeader p, ulong bias)
    {
        var (pageStart, fileEndPage, memEndPage) = Pages(p, bias);
        if (fileEndPage > pageStart)
        {
            // ElfLayout checked that p_offset and p_vaddr agree modulo the page size and that the file holds p_filesz.
            Check(mem.Map(new MapRequest(pageStart, fileEndPage - pageStart, RW, Shared: false, Fixed: true, NoReplace: false,
                HostFd: (int)file.Handle.DangerousGetHandle(), Offset: p.Offset & ~PageMask, Name: file.ResolvedPath,
                Device: file.Device, Inode: file.Inode, FileSize: (long)file.Size)));
            // With bss, the rest of the last file page is zero (the kernel's padzero); without, it stays file content.
            ulong fileEnd = unchecked(p.VAddr + bias + p.FileSize);
            if (p.MemSize > p.FileSize && fileEnd < fileEndPage) new Span<byte>(mem.Host(fileEnd), (int)(fileEndPage - fileEnd)).Clear();
        }
        if (memEndPage > fileEndPage)
            Check(mem.Map(new MapRequest(fileEndPage, memEndPage - fileEndPage, RW, Shared: false, Fixed: true, NoReplace: false)));
    }

    static void ProtectSegments(GuestAddressSpace mem, ElfLayout layout, ulong bias)
    {
        foreach (var p in layout.Loads)
        {
            var (pageStart, _, memEndPage) = Pages(p, bias);
            int r = mem.Protect(pageStart, memEndPage - pageStart, Prot(p.Flags));
            if (r < 0) throw new ExecFormatException($"cannot protect segment (errno {-r})", ExecFormatException.ExitCannotExecute, -r);
        }
    }

    /// <summary>Unmaps the parts of the reservation no segment covers: Linux leaves holes between segments unmapped.</summary>
    static void UnmapGaps(GuestAddressSpace mem, ElfLayout layout, ulong bias, ulong start, ulong end)
    {
        // Segments by start page; a handful, so an insertion sort (LINQ's OrderBy over tuples was JIT-compiled at start).
        int n = layout.Loads.Length;
        var starts = new ulong[n];
        var ends = new ulong[n];
        for (int k = 0; k < n; k++)
        {
            var (s, _, e) = Pages(layout.Loads[k], bias);
            int j = k;
            for (; j > 0 && starts[j - 1] > s; j--)
            {
                starts[j] = starts[j - 1];
                ends[j] = ends[j - 1];
            }
            starts[j] = s;
            ends[j] = e;
        }
        ulong at = start;
        for (int k = 0; k < n; k++)
        {
            if (starts[k] > at) mem.Unmap(at, starts[k] - at);
            at = Math.Max(at, ends[k]);
        }
        if (end > at) mem.Unmap(at, end - at);
    }

    /// <summary>Biased page bounds of a segment: first page, end of its file pages, end of its memory.</summary>
    static (ulong PageStart, ulong FileEndPage, ulong MemEndPage) Pages(in ElfProgramHeader p, ulong bias)
    {
        ulong va = unchecked(p.VAddr + bias);
        ulong pageStart = va & ~PageMask;
        ulong fileEndPage = p.FileSize == 0 ? pageStart : GuestAddressSpace.PageAlignUp(va + p.FileSize);
        ulong memEndPage = GuestAddressSpace.PageAlignUp(va + p.MemSize);
        return (pageStart, fileEndPage, memEndPage);
    }

    static PageFlags Prot(uint flags) =>
        ((flags & PF_R) != 0 ? PageFlags.Read : 0) |
        ((flags & PF_W) != 0 ? PageFlags.Write : 0) |
        ((flags & PF_X) != 0 ? PageFlags.Exec : 0);
}
