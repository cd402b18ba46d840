namespace UserEmu.Host;

/// <summary>Faults in, with one system call, the rest of the GC heap region that start-up allocates from.</summary>
/// <remarks>
/// On this host kind a page fault costs ~10 us (a PVM guest), and a `busybox true` first-touched ~3 MB of managed
/// memory a page at a time: ~780 faults, under the GC's clearing of each allocation quantum, on the warm-up thread that
/// the guest's first instruction waits for and on the vCPU thread. The GC reserves its heap and commits a region's pages
/// as allocation reaches them; this makes the rest of the current 4 MiB region (the GC's basic region size) readable
/// and writable ahead of it and populates it (MADV_POPULATE_WRITE, Linux 5.14). The pages are zero either way, and the
/// GC's own commit of them later only sets the protection they already have. Nothing is done unless that range is
/// anonymous private memory, so a runtime that lays out its heap otherwise only loses the gain. busybox true
/// 22.6 -> 20.6 ms, lua5.4 -e '' 53.0 -> 51.2 ms (medians of 40 and 20 alternating runs); page faults 1138 -> 361;
/// peak RSS +1 MB.
/// </remarks>
public static unsafe class GcRegionPrefault
{
    const long RegionSize = 4L << 20;
    const long PageSize = 4096;
    const int MadvPopulateWrite = 23;

    public static void Run()
    {
        var probe = new byte[1];
        long start, end;
        fixed (byte* p = probe)
        {
            start = (long)p & ~(PageSize - 1);
            end = ((long)p & ~(RegionSize - 1)) + RegionSize;
        }
        if (!AnonymousPrivate(start, end)) return;
        if (LibC.mprotect((nint)start, (nuint)(end - start), LibC.PROT_READ | LibC.PROT_WRITE) != 0) return;
        LibC.madvise((nint)start, (nuint)(end - start), MadvPopulateWrite);
    }

    /// <summary>Whether /proc/self/maps covers [start, end) with anonymous private mappings only, without a gap.</summary>
    internal static bool AnonymousPrivate(long start, long end)
    {
        byte[] maps;
        try
        {
            maps = HostFiles.ReadAll("/proc/self/maps");
        }
        catch (IOException)
        {
            return false;
        }
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
            at += 5;
            Skip(line, ref at); // offset
            Skip(line, ref at); // device
            bool noInode = line[at] == (byte)'0' && (at + 1 == line.Length || line[at + 1] == (byte)' ');
            Skip(line, ref at);
            while (at < line.Length && line[at] == (byte)' ') at++;
            if (!isPrivate || !noInode || at != line.Length) return false;
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
