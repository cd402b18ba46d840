using UserEmu.Host;

namespace UserEmu.Backend.Native;

/// <summary>Where native code's indirect jumps (ret, jmp/call through a register) continue: guest PC hash to a block's indirect entry, one table per guest process; also the process's direct links between blocks, undone when a block is invalidated.</summary>
/// <remarks>
/// Entries are written by dispatchers of any thread and read racily by native code, so an entry proves nothing: the
/// indirect entry it leads to compares RIP with its own guest PC and leaves to the dispatcher on a mismatch, asking it
/// to fill the entry (<see cref="FillRequest"/>). An empty entry is 0, which the jump's code tests for and leaves the
/// same way: the table is fresh zero memory, faulted in as entries are written, where a miss stub's address in every
/// entry had to be written first (2 MiB, ~0.7-0.9 ms of the compile thread's start, before which a short run's hot
/// loops stayed interpreted).
/// <para>A block that stays native has no check at its chain entry (QEMU's way): invalidating it points every link
/// slot that leads to it back at that slot's own exit, and empties its jump-table entry. Linking, filling and
/// unlinking hold one lock, and nothing links to code already unlinked, so no stale link survives an invalidation.
/// A thread that read a slot just before it was reset runs the old block once more, as with a run count checked just
/// before it was poisoned.</para>
/// </remarks>
public sealed unsafe class NativeJumpTable
{
    public const int Bits = 18;
    const int Size = 1 << Bits;
    const nuint Bytes = Size * 8;
    /// <summary>rdx value with ExitNext: put the block at RIP into the table.</summary>
    public const nint FillRequest = 1;

    /// <summary>The entries (native memory: code jumps through them; 0: none).</summary>
    public readonly nint* Entries;

    public NativeJumpTable()
    {
        // 2^18 entries: at 2^16 cc1's ~137k native blocks collided, and each collision at a ret is a trip through the
        // dispatcher. Anonymous memory reads as zero until written; its 4 KiB pages are backed as fills reach them.
        Entries = (nint*)LibC.mmap(0, Bytes, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
        if (Entries == (nint*)LibC.MAP_FAILED) throw new OutOfMemoryException("useremu: no memory for the native code's jump table");
    }

    /// <summary>Empties every entry (the code they lead to is about to be freed).</summary>
    public void Clear() => new Span<nint>(Entries, Size).Clear();

    /// <summary>Index of <paramref name="pc"/>'s entry, as the code computes it.</summary>
    static int Index(ulong pc) => (int)((pc ^ (pc >> Bits)) & (Size - 1));

    readonly Lock _links = new();

    /// <summary>Puts <paramref name="target"/>, the code of the block at <paramref name="pc"/>, into the table (unless it was invalidated meanwhile).</summary>
    public void Fill(ulong pc, NativeCode target)
    {
        lock (_links)
            if (!target.Unlinked) Entries[Index(pc)] = (nint)target.IndirectEntry;
    }

    /// <summary>Points a direct exit's jmp at <paramref name="target"/>'s chain entry, or its loop entry (unless it was invalidated meanwhile, or lies beyond a rel32's reach); <paramref name="slot"/> is the exit's link slot.</summary>
    /// <remarks>The rel32 is 4-byte aligned, so a thread running the jmp sees the old target or the new one (as in
    /// QEMU's tb_set_jmp_target; x86 keeps instruction fetch coherent with stores).</remarks>
    public void Link(nint slot, NativeCode target)
    {
        lock (_links)
        {
            if (target.Unlinked) return;
            var link = (LinkSlot*)slot;
            int* field = LinkSlot.Field(link);
            // A block's back edge to itself enters past the loads of the registers it carries across; any other exit
            // at the chain entry, which loads them. A back edge reaching the block's code compiled again since stays
            // unlinked.
            byte* entry = target.ChainEntry;
            if (LinkSlot.IsLoopEdge(link))
            {
                // Its way back to the runner makes the state stores the loop left out; linked, it skips them.
                if (target.LoopEntry == null || !target.HoldsInColdCode((byte*)slot)) return;
                entry = target.LoopEntry;
            }
            long rel = (long)entry - (long)(field + 1);
            // Already linked: threads that took the exit at once both bring its slot.
            if (rel != (int)rel || *field != LinkSlot.UnlinkedRel32(link)) return;
            Volatile.Write(ref *field, (int)rel);
            link->Next = target.Incoming;
            target.Incoming = link;
        }
    }

    /// <summary>Undoes every link to <paramref name="code"/>, the code of the block at <paramref name="pc"/>: each jmp gets back the rel32 to its exit's own return path (<see cref="LinkSlot.UnlinkedRel32(LinkSlot*)"/>).</summary>
    public void Unlink(ulong pc, NativeCode code)
    {
        lock (_links)
        {
            code.Unlinked = true;
            for (var link = code.Incoming; link != null; link = link->Next)
                Volatile.Write(ref *LinkSlot.Field(link), LinkSlot.UnlinkedRel32(link));
            code.Incoming = null;
            if (Entries[Index(pc)] == (nint)code.IndirectEntry) Entries[Index(pc)] = 0;
        }
    }
}
