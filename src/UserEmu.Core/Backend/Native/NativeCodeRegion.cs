using UserEmu.Host;

namespace UserEmu.Backend.Native;

/// <summary>One host address range, reserved once, from which every arena's executable chunks are taken.</summary>
/// <remarks>
/// So that the SIGSEGV handler of <see cref="NativeFaultRedirect"/> can tell a fault in native guest code from any
/// other with two compares. A chunk is committed (read, write, execute) when an arena takes it and decommitted when
/// the arena resets; the range itself is only address space.
/// </remarks>
static unsafe class NativeCodeRegion
{
    /// <summary>Bytes of address space reserved: eight arenas at their limit.</summary>
    const long Size = 8 * NativeCodeArena.Limit;
    public const int ChunkSize = 4 << 20;

    /// <summary>The range's start (0 if it could not be reserved: then there is no native code) and end.</summary>
    public static readonly nint Start, End;

    static readonly Lock s_lock = new();
    static nint s_next;
    static readonly nint[] s_free = new nint[Size / ChunkSize];
    static int s_freeCount;

    static NativeCodeRegion()
    {
        nint r = LibC.mmap(0, (nuint)Size, LibC.PROT_NONE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
        if (r == LibC.MAP_FAILED) return;
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
            if (m != chunk)
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
            s_free[s_freeCount++] = chunk;
        }
    }
}
