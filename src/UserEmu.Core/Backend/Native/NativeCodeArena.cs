using UserEmu.Host;

namespace UserEmu.Backend.Native;

/// <summary>Executable host memory for the native tier's blocks: read-write-execute chunks filled front to back, never freed.</summary>
/// <remarks>
/// Blocks are only appended, and a block's code is complete before its address is published, so threads running other
/// blocks from the same page are never disturbed (x86 keeps instruction fetch coherent with stores). Code of blocks
/// the translation cache dropped stays until exit; <see cref="Limit"/> bounds the total, after which blocks stay in
/// the interpreter (programs that generate code without end).
/// </remarks>
public static unsafe class NativeCodeArena
{
    const int ChunkSize = 4 << 20;
    /// <summary>Most bytes of machine code the process will hold.</summary>
    public const long Limit = 512L << 20;

    static readonly Lock s_lock = new();
    static byte* s_next, s_end;
    static long s_total, s_mapped;

    /// <summary>Bytes of machine code placed so far (-d stats).</summary>
    public static long Used => Volatile.Read(ref s_total);

    /// <summary>Copies <paramref name="code"/> into executable memory; null once <see cref="Limit"/> is reached.</summary>
    public static byte* Place(ReadOnlySpan<byte> code)
    {
        lock (s_lock)
        {
            if (code.Length > ChunkSize) return null;
            if (s_next == null || s_end - s_next < code.Length)
            {
                if (s_mapped + ChunkSize > Limit) return null;
                nint chunk = LibC.mmap(0, ChunkSize, LibC.PROT_READ | LibC.PROT_WRITE | LibC.PROT_EXEC, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
                if (chunk == LibC.MAP_FAILED) return null;
                s_next = (byte*)chunk;
                s_end = s_next + ChunkSize;
                s_mapped += ChunkSize;
            }
            byte* at = s_next;
            code.CopyTo(new Span<byte>(at, code.Length));
            // 16-byte alignment for the next block's entry.
            s_next += (code.Length + 15) & ~15;
            s_total += code.Length;
            return at;
        }
    }
}
