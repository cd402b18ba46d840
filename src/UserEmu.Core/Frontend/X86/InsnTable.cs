using Iced.Intel;

namespace UserEmu.Frontend.X86;

/// <summary>Decoded instructions that helpers need at run time, addressed by a stable index passed as the helper's imm.</summary>
/// <remarks>
/// Chunked so that growing never moves entries other threads may be reading. 512 entries (20 KiB) a chunk: a chunk of
/// 4096 was 160 KiB of fresh memory at the first helper call of a `busybox true`, which used a few hundred entries.
/// </remarks>
public static class InsnTable
{
    const int ChunkShift = 9;
    const int ChunkSize = 1 << ChunkShift;
    static Instruction[][] _chunks = new Instruction[64][];
    static int _count;
    static readonly Lock Sync = new();

    public static long Add(in Instruction insn)
    {
        lock (Sync)
        {
            int idx = _count;
            int c = idx >> ChunkShift;
            if (c == _chunks.Length)
            {
                var bigger = new Instruction[_chunks.Length * 2][];
                Array.Copy(_chunks, bigger, _chunks.Length);
                _chunks = bigger;
            }
            _chunks[c] ??= new Instruction[ChunkSize];
            _chunks[c][idx & (ChunkSize - 1)] = insn;
            _count = idx + 1;
            return idx;
        }
    }

    public static ref readonly Instruction Get(long index) => ref _chunks[index >> ChunkShift][index & (ChunkSize - 1)];
}
