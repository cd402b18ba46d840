using System.Runtime.InteropServices;
using UserEmu.Host;

namespace UserEmu.Backend.Native;

/// <summary>Where native code's indirect jumps (ret, jmp/call through a register) continue: guest PC hash to a block's indirect entry, one table per guest process; also the process's direct links between blocks, undone when a block is invalidated.</summary>
/// <remarks>
/// Entries are written by dispatchers of any thread and read racily by native code, so an entry proves nothing: the
/// indirect entry it leads to compares RIP with its own guest PC and leaves to the dispatcher on a mismatch, asking it
/// to fill the entry (<see cref="FillRequest"/>). An empty entry leads to a stub that asks the same.
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
    /// <summary>rdx value with ExitNext: put the block at RIP into the table.</summary>
    public const nint FillRequest = 1;

    static readonly nint s_missStub = MissStub();

    /// <summary>The entries (native memory: code jumps through them).</summary>
    public readonly nint* Entries;

    public NativeJumpTable()
    {
        // 2^18 entries: at 2^16 cc1's ~137k native blocks collided, and each collision at a ret is a trip through the
        // dispatcher. The 2 MiB are one transparent huge page where the host allows it: filling 512 small pages cost
        // a millisecond of every start.
        const nuint bytes = Size * 8, HugePage = 2 << 20;
        Entries = (nint*)NativeMemory.AlignedAlloc(bytes, HugePage);
        LibC.madvise((nint)Entries, bytes, LibC.MADV_HUGEPAGE);
        Clear();
    }

    /// <summary>Empties every entry (the code they lead to is about to be freed).</summary>
    public void Clear()
    {
        for (int k = 0; k < Size; k++) Entries[k] = s_missStub;
    }

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
            if (Entries[Index(pc)] == (nint)code.IndirectEntry) Entries[Index(pc)] = s_missStub;
        }
    }

    // RIP is already stored by the jumping block: back to the dispatcher, asking it to fill the entry, as a block's
    // indirect entry does when its check fails.
    static nint MissStub() => NativeSignalHandler.Place(NativeExitTails.FillCode);
}
