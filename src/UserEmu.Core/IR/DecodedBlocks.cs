using System.Numerics;

namespace UserEmu.IR;

/// <summary>Per-thread arrays that prepared blocks' packed ops are decoded into (<see cref="PreparedBlock.Code"/>, <see cref="PreparedBlock.Ops"/>), so that reading a block's IR allocates nothing once warm.</summary>
static class DecodedBlocks
{
    /// <summary>One exact-length array per op count: the compilers read <c>Length</c>, and a block compiled is read several times over.</summary>
    [ThreadStatic] static ByCount? t_byCount;
    /// <summary>A direct-mapped cache by guest PC, of buffers at least as long as the block.</summary>
    /// <remarks>Cold code runs each block a few times before it is native, mostly in loops: with one array per op
    /// count, cc1 decoded 1.0M times for 1.4M interpreted runs (6% of its time); with this, 0.44M.</remarks>
    [ThreadStatic] static ByPcSlot? t_byPc;

    sealed class ByCount
    {
        public const int MaxOps = 2048;
        public readonly PreparedBlock?[] Block = new PreparedBlock?[MaxOps];
        public readonly IrInstr[]?[] Ops = new IrInstr[MaxOps][];
    }

    sealed class ByPcSlot
    {
        public const int Slots = 512;
        public readonly PreparedBlock?[] Block = new PreparedBlock?[Slots];
        public readonly IrInstr[]?[] Ops = new IrInstr[Slots][];
        /// <summary>Where a block's first decoding goes.</summary>
        public IrInstr[] FirstRun = new IrInstr[256];
        /// <summary>The block whose ops <see cref="FirstRun"/> holds already: the one this thread prepared last (<see cref="Prime"/>).</summary>
        public PreparedBlock? FirstRunBlock;
    }

    public static IrInstr[] ByOpCount(PreparedBlock block)
    {
        var cache = t_byCount ??= new ByCount();
        int n = block.OpCount;
        if (n >= ByCount.MaxOps) return block.CopyCode();
        if (cache.Block[n] == block) return cache.Ops[n]!;
        var ops = cache.Ops[n] ??= new IrInstr[n];
        PackedIr.Unpack(block.PackedOps, ops);
        cache.Block[n] = block;
        return ops;
    }

    /// <summary>
    /// <paramref name="block"/>, just prepared on this thread from <paramref name="ops"/>, will most likely run next
    /// here: its first <see cref="ByPc"/> finds the ops without decoding what was just packed (a translated block runs
    /// at once in the interpreter).
    /// </summary>
    public static void Prime(PreparedBlock block, IrInstr[] ops, int count)
    {
        var cache = t_byPc ??= new ByPcSlot();
        if (cache.FirstRun.Length < count) cache.FirstRun = new IrInstr[(int)BitOperations.RoundUpToPowerOf2((uint)count)];
        Array.Copy(ops, cache.FirstRun, count);
        cache.FirstRunBlock = block;
    }

    public static ReadOnlySpan<IrInstr> ByPc(PreparedBlock block)
    {
        var cache = t_byPc ??= new ByPcSlot();
        ulong pc = block.GuestPc;
        int slot = (int)((pc ^ pc >> 9) & (ByPcSlot.Slots - 1));
        ref var ops = ref cache.Ops[slot];
        if (cache.Block[slot] != block)
        {
            // A block's first decoding goes to one shared buffer and only a second one takes a slot: most cold blocks
            // run once or twice (start-up code, ld.so), and their slot buffers were fresh memory the GC cleared, a page
            // fault per 4 KiB (13% of the guest thread of a `lua5.4 -e ''`).
            if (!block.DecodedBefore)
            {
                block.DecodedBefore = true;
                if (cache.FirstRunBlock != block)
                {
                    if (cache.FirstRun.Length < block.OpCount) cache.FirstRun = new IrInstr[(int)BitOperations.RoundUpToPowerOf2((uint)block.OpCount)];
                    PackedIr.Unpack(block.PackedOps, cache.FirstRun);
                    cache.FirstRunBlock = block;
                }
                return new ReadOnlySpan<IrInstr>(cache.FirstRun, 0, block.OpCount);
            }
            if (ops == null || ops.Length < block.OpCount)
                ops = new IrInstr[Math.Max(8, (int)BitOperations.RoundUpToPowerOf2((uint)block.OpCount))];
            PackedIr.Unpack(block.PackedOps, ops);
            cache.Block[slot] = block;
        }
        return new ReadOnlySpan<IrInstr>(ops, 0, block.OpCount);
    }
}
