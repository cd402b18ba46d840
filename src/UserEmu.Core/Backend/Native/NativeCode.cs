namespace UserEmu.Backend.Native;

/// <summary>A block's machine code: where indirect jumps and chained blocks enter, where the dispatcher enters, its run counter, and the link slots that lead to it.</summary>
/// <remarks>
/// One per block in native code (cc1: ~106k), so it keeps 56 bytes: the entries after the first and the out-of-line
/// part as offsets from it (both parts lie in one 2 MiB chunk, <see cref="NativeCodeArena.Place"/>), the lengths in 16
/// bits (<see cref="NativeBlockCompiler.Compile"/> leaves longer blocks to the interpreter), the jump table it is
/// linked through in its arena (<see cref="NativeCodeArena.Jumps"/>), and what only a block that becomes a region needs
/// apart (<see cref="RegionCounter"/>).
/// </remarks>
public sealed unsafe class NativeCode
{
    /// <summary>Checks that RIP is this block's PC first (entries of <see cref="NativeJumpTable"/> may be stale).</summary>
    public readonly byte* IndirectEntry;
    /// <summary>How a block that becomes a region counts its runs towards it; null for a block that stays native.</summary>
    public readonly RegionCounter? Region;
    /// <summary>The first of the link slots pointed at <see cref="ChainEntry"/>, listed through <see cref="LinkSlot.Next"/> (guarded by the jump table's lock).</summary>
    internal LinkSlot* Incoming;
    readonly int _coldOffset;
    readonly ushort _chainOffset, _bodyOffset, _length, _coldLength;
    // Where the loop entry is past the body (0: none), and the flags below: two bytes, so that the object stays 56 bytes.
    readonly byte _loopOffset, _flags;
    const byte ChainedFlag = 1, StoresFaultOnCodeFlag = 2, LinkedFlag = 4;
    /// <summary>How the code was compiled, for making its stubs the same way when first reached (<see cref="NativeBlockCompiler.MakeStub"/>).</summary>
    internal bool Chained
    {
        get => (_flags & ChainedFlag) != 0;
        init => _flags = (byte)(value ? _flags | ChainedFlag : _flags & ~ChainedFlag);
    }
    internal bool StoresFaultOnCode
    {
        get => (_flags & StoresFaultOnCodeFlag) != 0;
        init => _flags = (byte)(value ? _flags | StoresFaultOnCodeFlag : _flags & ~StoresFaultOnCodeFlag);
    }
    /// <summary>Whether its exits and indirect jumps go through its arena's <see cref="NativeCodeArena.Jumps"/> (compiled chained with a jump table).</summary>
    internal bool Linked => (_flags & LinkedFlag) != 0;
    /// <summary>Set once the block is invalidated: nothing links to it any more (guarded by the jump table's lock).</summary>
    internal bool Unlinked;

    public NativeCode(byte* indirectEntry, int chainOffset, int bodyOffset, RegionCounter? region, int length, byte* cold, int coldLength, bool linked,
        int loopOffset = 0)
    {
        IndirectEntry = indirectEntry;
        _chainOffset = checked((ushort)chainOffset);
        _bodyOffset = checked((ushort)bodyOffset);
        Region = region;
        _length = checked((ushort)length);
        _coldOffset = checked((int)(cold - indirectEntry));
        _coldLength = checked((ushort)coldLength);
        _flags = linked ? LinkedFlag : (byte)0;
        _loopOffset = checked((byte)loopOffset);
    }

    /// <summary>Counts the run and leaves once hot or invalidated (a block that becomes a region); the body itself for one that stays native.</summary>
    public byte* ChainEntry => IndirectEntry + _chainOffset;
    public byte* Body => IndirectEntry + _bodyOffset;
    /// <summary>Whether the block is compiled into a region once hot (<see cref="NativeBlockCompiler.BecomesRegion"/>, with a region threshold); if not it stays native.</summary>
    public bool BecomesRegion => Region != null;
    /// <summary>Bytes of machine code from <see cref="IndirectEntry"/>: the entries and the body (for -d out_asm).</summary>
    public int Length => _length;
    /// <summary>The block's out-of-line code (stubs, exits before linking, link slots), placed apart from the body (<see cref="NativeCodeArena.Place"/>), and its length.</summary>
    public byte* Cold => IndirectEntry + _coldOffset;
    public int ColdLength => _coldLength;
    /// <summary>
    /// Where the block's own back edge enters once linked to itself, past the loads of the guest registers it keeps in
    /// host registers from one pass to the next (NativeBlockCompiler.LoopCarried.cs); null for a block without them.
    /// </summary>
    public byte* LoopEntry => _loopOffset == 0 ? null : Body + _loopOffset;
    /// <summary>Whether <paramref name="p"/> lies in the block's out-of-line code (one of its link slots, say).</summary>
    public bool HoldsInColdCode(byte* p) => p >= Cold && p < Cold + _coldLength;

    /// <summary>Invalidation: every link slot and jump-table entry that leads here goes back to the dispatcher, and a counted chain entry leaves.</summary>
    /// <param name="jumps">Its arena's <see cref="NativeCodeArena.Jumps"/>.</param>
    public void Invalidate(ulong pc, NativeJumpTable? jumps)
    {
        if (Linked) jumps!.Unlink(pc, this);
        // A counter is written once only, before a flush may free it.
        if (Region != null) *Region.Runs = NativeBlockCompiler.Poisoned;
    }
}

/// <summary>The run counter of a native block that becomes a region once hot (JIT builds), and what its chain entry adds and compares.</summary>
public sealed unsafe class RegionCounter(uint* runs, uint weight, uint threshold)
{
    /// <summary>Runs of the block outside a region, each counted <see cref="Weight"/> times (native memory: the chain entry counts them).</summary>
    public readonly uint* Runs = runs;
    /// <summary>What a run adds (<see cref="NativeBlockCompiler.RunWeight"/>).</summary>
    public readonly uint Weight = weight;
    /// <summary>The count at which the chain entry leaves for the dispatcher, which compiles the region.</summary>
    public readonly uint Threshold = threshold;
}
