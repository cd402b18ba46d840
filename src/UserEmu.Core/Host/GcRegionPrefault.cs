namespace UserEmu.Host;

/// <summary>Faults in, ahead of the GC, the rest of the heap region that start-up allocates from, and lets the regions after it take transparent huge pages.</summary>
/// <remarks>
/// On this host kind a page fault costs ~10 us (a PVM guest), and a `busybox true` first-touched ~3 MB of managed
/// memory a page at a time: ~780 faults, under the GC's clearing of each allocation quantum, on the warm-up thread that
/// the guest's first instruction waits for and on the vCPU thread. The GC reserves its heap and commits a region's pages
/// as allocation reaches them; this makes the rest of the current 4 MiB region (the GC's basic region size) readable
/// and writable ahead of it and populates it (MADV_POPULATE_WRITE, Linux 5.14). busybox true 22.6 -> 20.6 ms, lua5.4
/// -e '' 53.0 -> 51.2 ms (medians of 40 and 20 alternating runs); page faults 1138 -> 361; peak RSS +1 MB.
/// <para>
/// The regions the GC takes next lie above that one in its reservation, and a translating program fills several
/// (python3 -c pass allocates ~21 MB): the next <see cref="Window"/> bytes are made readable and writable as well,
/// and all of it is marked MADV_HUGEPAGE, so that the first touch of each 2 MiB is one fault of a huge page (~70 us)
/// instead of 512 (~5 ms). Both matter: the GC commits 64 KiB at a time and marks each piece MADV_DODUMP, and a huge
/// page needs one mapping over its 2 MiB, so the window is made MADV_DODUMP too and the GC's later commits change
/// nothing of it. Memory not touched stays unbacked. python3 -c pass 7974 -> 2300 page faults, 365 -> 305 ms;
/// lua5.4 -e '' 51 -> 43 ms (medians of 12 and 20 interleaved runs); peak RSS +1 MB.
/// </para>
/// Nothing is done unless the range is anonymous private memory, and the window only where the reservation goes on
/// for <see cref="Margin"/> past it (a thread stack's guard page is never that), so a runtime that lays out its heap
/// otherwise only loses the gain. The pages are zero either way, and the GC's own commit of them later only sets the
/// protection they already have.
/// </remarks>
public static unsafe class GcRegionPrefault
{
    const long RegionSize = 4L << 20;
    const long PageSize = 4096;
    const long Window = 256L << 20, Margin = 64L << 20, HugePage = 2L << 20;

    public static void Run()
    {
        var probe = new byte[1];
        long start, end;
        fixed (byte* p = probe)
        {
            start = (long)p & ~(PageSize - 1);
            end = ((long)p & ~(RegionSize - 1)) + RegionSize;
        }
        var maps = ReadMaps();
        if (!AnonymousPrivate(maps, start, end)) return;
        long top = AnonymousPrivate(maps, end, end + Window) && AnonymousPrivate(maps, end + Window, end + Window + Margin, reservedOnly: true)
            ? end + Window : end;
        if (LibC.mprotect((nint)start, (nuint)(top - start), LibC.PROT_READ | LibC.PROT_WRITE) != 0) return;
        long region = end - RegionSize;
        LibC.madvise((nint)region, (nuint)(top - region), LibC.MADV_DODUMP);
        LibC.madvise((nint)region, (nuint)(top - region), LibC.MADV_HUGEPAGE);
        // The region's first 2 MiB hold the runtime's first objects already, so touching the rest of them takes small
        // pages; made one huge page now (MADV_COLLAPSE, Linux 6.1; refused harmlessly before) instead: busybox true
        // 18.3 -> 17.1 and 19.8 -> 17.9 ms, lua5.4 -e '' 42.3 -> 40.3 ms (medians of 40 and 20 interleaved runs).
        LibC.madvise((nint)region, (nuint)HugePage, LibC.MADV_COLLAPSE);
        LibC.madvise((nint)start, (nuint)(end - start), LibC.MADV_POPULATE_WRITE);
    }

    internal static byte[] ReadMaps()
    {
        try
        {
            return HostFiles.ReadAll("/proc/self/maps");
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>
    /// Whether <paramref name="maps"/> (/proc/self/maps) covers [start, end) with anonymous private mappings only,
    /// without a gap; with <paramref name="reservedOnly"/>, mappings that allow no access at all.
    /// </summary>
    internal static bool AnonymousPrivate(ReadOnlySpan<byte> maps, long start, long end, bool reservedOnly = false)
    {
        long covered = start;
        foreach (var line in new MapsLines(maps))
        {
            // start-end perms offset major:minor inode [name]
            int at = 0;
            long lo = Hex(line, ref at);
            at++;
            long hi = Hex(line, ref at);
            if (hi <= covered) continue;
            if (lo > covered) return false;
            at++;
            bool isPrivate = line[at + 3] == (byte)'p';
            bool noAccess = line[at] == (byte)'-' && line[at + 1] == (byte)'-' && line[at + 2] == (byte)'-';
            at += 5;
            Skip(line, ref at); // offset
            Skip(line, ref at); // device
            bool noInode = line[at] == (byte)'0' && (at + 1 == line.Length || line[at + 1] == (byte)' ');
            Skip(line, ref at);
            while (at < line.Length && line[at] == (byte)' ') at++;
            if (!isPrivate || !noInode || at != line.Length || (reservedOnly && !noAccess)) return false;
            covered = hi;
            if (covered >= end) return true;
        }
        return false;
    }

    static long Hex(ReadOnlySpan<byte> s, ref int at)
    {
        long v = 0;
        for (; at < s.Length; at++)
        {
            int d = s[at] switch
            {
                >= (byte)'0' and <= (byte)'9' => s[at] - '0',
                >= (byte)'a' and <= (byte)'f' => s[at] - 'a' + 10,
                _ => -1,
            };
            if (d < 0) break;
            v = v << 4 | (uint)d;
        }
        return v;
    }

    // Past one field and the spaces after it.
    static void Skip(ReadOnlySpan<byte> s, ref int at)
    {
        while (at < s.Length && s[at] != (byte)' ') at++;
        while (at < s.Length && s[at] == (byte)' ') at++;
    }

    ref struct MapsLines(ReadOnlySpan<byte> text)
    {
        ReadOnlySpan<byte> _rest = text;
        public ReadOnlySpan<byte> Current { get; private set; }
        public readonly MapsLines GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_rest.IsEmpty) return false;
            int nl = _rest.IndexOf((byte)'\n');
            Current = nl < 0 ? _rest : _rest[..nl];
            _rest = nl < 0 ? default : _rest[(nl + 1)..];
            return true;
        }
    }
}
