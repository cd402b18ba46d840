namespace UserEmu.Backend.Native;

/// <summary>A direct exit's link slot, 16 bytes in its block's out-of-line code right after the exit's call to the link tail (and before the exit's target): where the exit's jmp (or call) keeps its rel32, that rel32 as first emitted, and the next slot linked to the same block.</summary>
/// <remarks>
/// The slots linked to a block form a list through <see cref="Next"/>, which <see cref="NativeJumpTable.Unlink"/>
/// walks: a managed list per block cost cc1 ~64 bytes for each of its 140k native blocks.
/// </remarks>
unsafe struct LinkSlot
{
    /// <summary>The rel32's address, from the slot's own (both lie in one block's code).</summary>
    int _fieldOffset;
    /// <summary>The rel32 as first emitted: to the exit's own way back to the dispatcher.</summary>
    public int UnlinkedRel32;
    /// <summary>The next slot linked to the same block (null: the last).</summary>
    public LinkSlot* Next;

    /// <summary>Fills the slot at <paramref name="slot"/> for the rel32 at <paramref name="field"/>, once the code is placed.</summary>
    public static void Init(LinkSlot* slot, int* field)
    {
        slot->_fieldOffset = checked((int)((byte*)field - (byte*)slot));
        slot->UnlinkedRel32 = *field;
        slot->Next = null;
    }

    public static int* Field(LinkSlot* slot) => (int*)((byte*)slot + slot->_fieldOffset);
}
