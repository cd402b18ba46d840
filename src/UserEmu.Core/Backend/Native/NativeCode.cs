namespace UserEmu.Backend.Native;

/// <summary>A block's machine code: where indirect jumps and chained blocks enter (counting the run), where the dispatcher enters, and the run counter.</summary>
public sealed unsafe class NativeCode(byte* indirectEntry, byte* chainEntry, byte* body, uint* runs, uint weight, bool becomesRegion, int length)
{
    /// <summary>Checks that RIP is this block's PC first (entries of <see cref="NativeJumpTable"/> may be stale).</summary>
    public readonly byte* IndirectEntry = indirectEntry;
    public readonly byte* ChainEntry = chainEntry;
    public readonly byte* Body = body;
    /// <summary>Runs of the block outside a region, each counted <see cref="Weight"/> times (native memory: the chain entry counts them); only <see cref="NativeBlockCompiler.Poisoned"/> or not for a block that stays native.</summary>
    public readonly uint* Runs = runs;
    /// <summary>What a run adds to <see cref="Runs"/> (<see cref="NativeBlockCompiler.RunWeight"/>).</summary>
    public readonly uint Weight = weight;
    /// <summary>Whether the block is compiled into a region once hot (<see cref="NativeBlockCompiler.BecomesRegion"/>); if not it stays native.</summary>
    public readonly bool BecomesRegion = becomesRegion;
    /// <summary>Bytes of machine code from <see cref="IndirectEntry"/> (for -d out_asm).</summary>
    public readonly int Length = length;
}
