using UserEmu.Host;

namespace UserEmu.Backend.Native;

/// <summary>One host address range, reserved once, from which every arena's executable chunks are taken.</summary>
/// <remarks>
/// So that the SIGSEGV handler of <see cref="NativeFaultRedirect"/> can tell a fault in native guest code from any
/// other with two compares. A chunk is committed (read, write, execute) when an arena takes it and decommitted when
/// the arena resets; the range itself is only address space. Each chunk has a fault-site table in a second reserved
/// range, at a fixed distance per chunk index, committed and released with it (<see cref="AddFaultSite"/>).
/// </remarks>
static unsafe class NativeCodeRegion
{
    /// <summary>Bytes of address space reserved: eight arenas at their limit.</summary>
    const long Size = 8 * NativeCodeArena.Limit;
    public const int ChunkShift = 21, ChunkSize = 1 << ChunkShift;
    const nint HugePage = 2 << 20;
    /// <summary>log2 of the address space between two chunks' fault-site tables: a table holds a count and up to one 8-byte entry per 4 bytes of code.</summary>
    public const int SiteTableShift = ChunkShift + 2;
    const int SiteTableBytes = 8 + 2 * ChunkSize;

    /// <summary>The range's start (0 if it could not be reserved: then there is no native code) and end.</summary>
    public static readonly nint Start, End;
    /// <summary>Where the fault-site table of the chunk at Start + k * ChunkSize is: SiteTables + (k &lt;&lt; SiteTableShift).</summary>
    public static readonly nint SiteTables;

    static readonly Lock s_lock = new();
    static nint s_next;
    static readonly nint[] s_free = new nint[Size / ChunkSize];
    static int s_freeCount;

    static NativeCodeRegion()
    {
        nint reserved = LibC.mmap(0, (nuint)(Size + HugePage), LibC.PROT_NONE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
        if (reserved == LibC.MAP_FAILED) return;
        nint r = (reserved + HugePage - 1) & ~(HugePage - 1); // chunks on huge-page boundaries (Take)
        nint tables = LibC.mmap(0, (nuint)(Size / ChunkSize) << SiteTableShift, LibC.PROT_NONE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
        if (tables == LibC.MAP_FAILED)
        {
            LibC.munmap(reserved, (nuint)(Size + HugePage));
            return;
        }
        SiteTables = tables;
        Start = s_next = r;
        End = r + (nint)Size;
    }

    /// <summary>A committed chunk of <see cref="ChunkSize"/> bytes, or 0 when the range is used up.</summary>
    public static nint Take()
    {
        lock (s_lock)
        {
            nint chunk;
            if (s_freeCount > 0) chunk = s_free[--s_freeCount];
            else if (Start != 0 && End - s_next >= ChunkSize) { chunk = s_next; s_next += ChunkSize; }
            else return 0;
            nint m = LibC.mmap(chunk, ChunkSize, LibC.PROT_READ | LibC.PROT_WRITE | LibC.PROT_EXEC,
                LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_FIXED, -1, 0);
            // Code is written once, in order, by the compile thread: a fault per 4 KiB was ~2200 of a python3 -c
            // pass's 8000 (~10 us each here); huge pages make it one per 2 MiB (python3 -c pass 331 -> 318 ms).
            if (m == chunk) LibC.madvise(chunk, ChunkSize, LibC.MADV_HUGEPAGE);
            // The site table: zero pages, so its count starts at 0; only the pages its entries reach take memory.
            nint table = SiteTable(chunk);
            nint t = m == chunk ? LibC.mmap(table, SiteTableBytes, LibC.PROT_READ | LibC.PROT_WRITE,
                LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_FIXED | LibC.MAP_NORESERVE, -1, 0) : LibC.MAP_FAILED;
            if (t != table)
            {
                s_free[s_freeCount++] = chunk;
                return 0;
            }
            return chunk;
        }
    }

    /// <summary>Gives a chunk back: its memory is released, its addresses stay reserved.</summary>
    public static void Return(nint chunk)
    {
        lock (s_lock)
        {
            LibC.mmap(chunk, ChunkSize, LibC.PROT_NONE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_FIXED | LibC.MAP_NORESERVE, -1, 0);
            LibC.mmap(SiteTable(chunk), SiteTableBytes, LibC.PROT_NONE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_FIXED | LibC.MAP_NORESERVE, -1, 0);
            s_free[s_freeCount++] = chunk;
        }
    }

    // The site table of the chunk holding `address` (chunks lie at Start + k * ChunkSize; Start is only 2 MiB-aligned).
    static nint SiteTable(nint address) => SiteTables + ((address - Start) >> ChunkShift << SiteTableShift);

    /// <summary>The start of the chunk holding <paramref name="address"/>.</summary>
    public static nint ChunkOf(nint address) => Start + ((address - Start) >> ChunkShift << ChunkShift);

    /// <summary>
    /// Records that a host fault of the access at <paramref name="site"/> goes to <paramref name="stub"/> (both in one
    /// chunk). Sites of a chunk must come in increasing order (its arena places code in order, under its lock): the
    /// fault handler searches the table by halves. An entry is the site's offset in the chunk and the stub's distance
    /// from the site (32 bits each), written before the count that covers it, and both before the code runs.
    /// </summary>
    public static void AddFaultSite(nint site, nint stub)
    {
        long* table = (long*)SiteTable(site);
        long n = table[0];
        int* entry = (int*)(table + 1 + n);
        entry[0] = (int)((site - Start) & (ChunkSize - 1));
        entry[1] = checked((int)(stub - site));
        Volatile.Write(ref table[0], n + 1);
    }
}
