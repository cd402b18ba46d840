namespace UserEmu.Backend.Native;

/// <summary>A block's machine code: where indirect jumps and chained blocks enter, where the dispatcher enters, its run counter, and the link slots that lead to it.</summary>
/// <remarks>One per block in native code (cc1: ~106k), so the entries after the first are kept as offsets from it.</remarks>
public sealed unsafe class NativeCode(byte* indirectEntry, int chainOffset, int bodyOffset, uint* runs, uint weight, bool becomesRegion, int length, byte* cold, int coldLength, NativeJumpTable? chains)
{
    /// <summary>Checks that RIP is this block's PC first (entries of <see cref="NativeJumpTable"/> may be stale).</summary>
    public readonly byte* IndirectEntry = indirectEntry;
    readonly ushort _chainOffset = checked((ushort)chainOffset), _bodyOffset = checked((ushort)bodyOffset);
    /// <summary>Counts the run and leaves once hot or invalidated (a block that becomes a region); the body itself for one that stays native.</summary>
    public byte* ChainEntry => IndirectEntry + _chainOffset;
    public byte* Body => IndirectEntry + _bodyOffset;
    /// <summary>Runs of the block outside a region, each counted <see cref="Weight"/> times (native memory: the chain entry counts them); null for a block that stays native.</summary>
    public readonly uint* Runs = runs;
    /// <summary>What a run adds to <see cref="Runs"/> (<see cref="NativeBlockCompiler.RunWeight"/>).</summary>
    public readonly uint Weight = weight;
    /// <summary>Whether the block is compiled into a region once hot (<see cref="NativeBlockCompiler.BecomesRegion"/>); if not it stays native.</summary>
    public readonly bool BecomesRegion = becomesRegion;
    /// <summary>Bytes of machine code from <see cref="IndirectEntry"/>: the entries and the body (for -d out_asm).</summary>
    public readonly int Length = length;
    /// <summary>The block's out-of-line code (stubs, exits before linking, link slots), placed apart from the body (<see cref="NativeCodeArena.Place"/>), and its length.</summary>
    public readonly byte* Cold = cold;
    public readonly int ColdLength = coldLength;
    /// <summary>How the code was compiled, for making its stubs the same way when first reached (<see cref="NativeBlockCompiler.MakeStub"/>).</summary>
    internal bool Chained { get; init; }
    internal bool StoresFaultOnCode { get; init; }
    internal uint RegionThreshold { get; init; }
    /// <summary>The process's chaining state this code was linked through (null: compiled without chaining).</summary>
    internal readonly NativeJumpTable? Chains = chains;
    /// <summary>The first of the link slots pointed at <see cref="ChainEntry"/>, listed through <see cref="LinkSlot.Next"/> (guarded by <see cref="Chains"/>' lock).</summary>
    internal LinkSlot* Incoming;
    /// <summary>Set once the block is invalidated: nothing links to it any more (guarded by <see cref="Chains"/>' lock).</summary>
    internal bool Unlinked;

    /// <summary>Invalidation: every link slot and jump-table entry that leads here goes back to the dispatcher, and a counted chain entry leaves.</summary>
    public void Invalidate(ulong pc)
    {
        Chains?.Unlink(pc, this);
        // A counter is written once only, before a flush may free it.
        if (Runs != null) *Runs = NativeBlockCompiler.Poisoned;
    }
}
