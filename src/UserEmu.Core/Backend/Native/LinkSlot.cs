namespace UserEmu.Backend.Native;

/// <summary>A direct exit's link slot, 8 bytes in its block's out-of-line code right after the exit's call to the link tail (and before the exit's target): where the exit's jmp (or call) keeps its rel32, and the next slot linked to the same block.</summary>
/// <remarks>
/// The slots linked to a block form a list through <see cref="Next"/>, which <see cref="NativeJumpTable.Unlink"/>
/// walks: a managed list per block cost cc1 ~64 bytes for each of its 140k native blocks. cc1 has ~266k direct exits,
/// so the slot keeps the next slot as an offset in <see cref="NativeCodeRegion"/> (4 GiB) and derives the rel32 it
/// restores (<see cref="UnlinkedRel32"/>) instead of keeping them as a pointer and a copy: 8 bytes, not 16.
/// </remarks>
unsafe struct LinkSlot
{
    /// <summary>
    /// The rel32's address, from the slot's own (both lie in one block's code), shifted left by 7; bits 1-6: how far
    /// before the exit's call to the link tail its jump first leads (a loop's back edge makes its stores there first);
    /// bit 0: the exit is the block's back edge to itself (<see cref="IsLoopEdge"/>).
    /// </summary>
    int _fieldOffset;
    const int FieldShift = 7, LeadMask = 63;
    /// <summary>The next slot linked to the same block, from <see cref="NativeCodeRegion.Start"/> (0: none; a chunk starts with its exit tails, never a slot).</summary>
    uint _next;

    /// <summary>Fills the slot at <paramref name="slot"/> for the rel32 at <paramref name="field"/>, once the code is placed.</summary>
    /// <param name="loopEdge">The exit is the end of a block that branches back to itself and holds guest registers
    /// in host registers across the jump: linked to its own block, it goes to <see cref="NativeCode.LoopEntry"/>.</param>
    /// <param name="lead">Bytes of code between where the jump first leads and the call to the link tail (at most 63).</param>
    public static void Init(LinkSlot* slot, int* field, bool loopEdge = false, int lead = 0)
    {
        if ((uint)lead > LeadMask) throw new ArgumentOutOfRangeException(nameof(lead));
        slot->_fieldOffset = checked((int)((byte*)field - (byte*)slot)) << FieldShift | lead << 1 | (loopEdge ? 1 : 0);
        slot->_next = 0;
        if (*field != UnlinkedRel32(slot)) throw new InvalidOperationException("internal error: a direct exit's jump does not lead to its own link call");
    }

    public static int* Field(LinkSlot* slot) => (int*)((byte*)slot + (slot->_fieldOffset >> FieldShift));

    /// <summary>Whether the slot's exit is a block's back edge to itself with loop-carried registers (<see cref="Init"/>).</summary>
    public static bool IsLoopEdge(LinkSlot* slot) => (slot->_fieldOffset & 1) != 0;

    /// <summary>The rel32 as first emitted: to the exit's own call to the link tail, just before the slot (its way back to the dispatcher), or the stores a loop's back edge makes before it.</summary>
    public static int UnlinkedRel32(LinkSlot* slot) =>
        (int)((byte*)slot - NativeExitTails.CallBytes - (slot->_fieldOffset >> 1 & LeadMask) - ((byte*)Field(slot) + sizeof(int)));

    /// <summary>The next slot linked to the same block (null: the last).</summary>
    public LinkSlot* Next
    {
        readonly get => _next == 0 ? null : (LinkSlot*)(NativeCodeRegion.Start + (nint)_next);
        set => _next = value == null ? 0 : checked((uint)((nint)value - NativeCodeRegion.Start));
    }
}
