using Iced.Intel;

namespace UserEmu.Frontend.X86;

/// <summary>Decoded instructions that helpers need at run time, addressed by a stable index passed as the helper's imm.</summary>
/// <remarks>
/// Chunked so that growing never moves entries other threads may be reading. 512 entries (20 KiB) a chunk: a chunk of
/// 4096 was 160 KiB of fresh memory at the first helper call of a `busybox true`, which used a few hundred entries.
/// An instruction translated again (its code overwritten and back, the translation cache flushed) gets the index it
/// had: the table grew by an entry per translation before, without bound for a program that keeps regenerating code,
/// and two translations of one block differed in their helpers' immediates.
/// </remarks>
public static class InsnTable
{
    const int ChunkShift = 9;
    const int ChunkSize = 1 << ChunkShift;
    static Instruction[][] _chunks = new Instruction[64][];
    static int _count;
    static readonly Lock Sync = new();
    // Open-addressed index of the entries by all their bits (IP included): index + 1, 0 for a free slot. Its own table
    // rather than a Dictionary: one over Iced's struct would be JIT-compiled at start-up in a ReadyToRun engine.
    static int[] _byValue = new int[1024];

    /// <summary>The index of <paramref name="insn"/>, added if the table does not hold it yet.</summary>
    public static long Add(in Instruction insn)
    {
        lock (Sync)
        {
            int mask = _byValue.Length - 1;
            int slot = Home(insn) & mask;
            for (; _byValue[slot] != 0; slot = (slot + 1) & mask)
                if (Instruction.EqualsAllBits(Get(_byValue[slot] - 1), insn)) return _byValue[slot] - 1;
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
            _byValue[slot] = idx + 1;
            if (_count * 2 > _byValue.Length) GrowIndex();
            return idx;
        }
    }

    static int Home(in Instruction insn) => HashCode.Combine(insn.GetHashCode(), insn.IP);

    static void GrowIndex()
    {
        var bigger = new int[_byValue.Length * 2];
        int mask = bigger.Length - 1;
        for (int idx = 0; idx < _count; idx++)
        {
            int slot = Home(Get(idx)) & mask;
            while (bigger[slot] != 0) slot = (slot + 1) & mask;
            bigger[slot] = idx + 1;
        }
        _byValue = bigger;
    }

    public static ref readonly Instruction Get(long index) => ref _chunks[index >> ChunkShift][index & (ChunkSize - 1)];
}
