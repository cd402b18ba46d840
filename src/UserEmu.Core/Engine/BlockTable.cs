using System.Numerics;

namespace UserEmu.Engine;

/// <summary>The translation cache's blocks by guest PC: an open-addressed table of the blocks themselves, each found by its own <see cref="TranslationBlock.Pc"/>.</summary>
/// <remarks>
/// A slot is one reference and a one-byte tag. The <c>Dictionary&lt;ulong, TranslationBlock&gt;</c> it replaces took 28
/// bytes an entry at a prime capacity of up to twice the count, plus the arrays it outgrew: ~9 MB of cc1's managed heap
/// for its 120k blocks, against ~2.3 MB here. Linear probing, at most three quarters full; removal shifts the probe run
/// back, so there are no tombstones. Changed under the cache's lock; read with it or, for a lookup that may miss, without
/// (<see cref="FindUnlocked"/>).
/// </remarks>
sealed class BlockTable
{
    const int InitialBits = 10;
    TranslationBlock?[] _slots = new TranslationBlock?[1 << InitialBits];
    // Per slot, 8 bits of its block's PC hash (never 0; 0: empty): a probe reads these, side by side, and looks at a
    // block only where they match (by chance, one slot in 128). Most of the translator's lookups (is there a block at
    // this instruction, which a superblock stops at) find nothing, after a run of about three occupied slots, and
    // comparing each slot's PC had dereferenced a block scattered in the heap at each: 3% of a python3 -c pass's vCPU
    // thread. 16-bit tags had put cc1's peak RSS 2 MB higher (156.4 -> 158.4 MB: a huge page more of GC heap).
    byte[] _tags = new byte[1 << InitialBits];

    public int Count { get; private set; }

    // Fibonacci hashing into a table of `length` (a power of two) slots: guest PCs are close together and often
    // aligned, the product's top bits are not.
    internal static int Home(ulong pc, int length) => (int)((pc * 0x9E3779B97F4A7C15UL) >> (64 - BitOperations.Log2((uint)length)));

    // Bits of the same product below those a table of up to 2^32 slots takes for the home.
    internal static byte Tag(ulong pc) => (byte)((pc * 0x9E3779B97F4A7C15UL) >> 24 | 1);

    /// <summary>The block at <paramref name="pc"/>, or null (under the cache's lock).</summary>
    public TranslationBlock? Find(ulong pc) => Find(_tags, _slots, pc);

    /// <summary>
    /// The block at <paramref name="pc"/>, or null, without the lock, while another thread may change the table: it may
    /// miss a block being added, moved back by a removal or rehashed by a growth (the caller then takes the lock: it
    /// translates and <see cref="TranslationCache.Add"/> finds the block), but never returns another PC's block.
    /// </summary>
    public TranslationBlock? FindUnlocked(ulong pc)
    {
        // A growth replaces the slots, then the tags: arrays of two sizes are a table caught between them.
        var tags = Volatile.Read(ref _tags);
        var slots = Volatile.Read(ref _slots);
        return tags.Length == slots.Length ? Find(tags, slots, pc) : null;
    }

    static TranslationBlock? Find(byte[] tags, TranslationBlock?[] slots, ulong pc)
    {
        int mask = tags.Length - 1;
        byte tag = Tag(pc);
        for (int i = Home(pc, tags.Length); ; i = (i + 1) & mask)
        {
            // The tag is written after its slot (Place): a slot read after its tag holds that tag's block or a later one.
            byte t = Volatile.Read(ref tags[i]);
            if (t == 0) return null;
            if (t == tag && slots[i] is { } tb && tb.Pc == pc) return tb;
        }
    }

    /// <summary>Adds <paramref name="tb"/>, whose PC the table does not hold.</summary>
    public void Add(TranslationBlock tb)
    {
        if ((Count + 1) * 4 > _slots.Length * 3) Grow();
        Place(tb);
        Count++;
    }

    void Place(TranslationBlock tb)
    {
        int mask = _slots.Length - 1;
        int i = Home(tb.Pc, _slots.Length);
        while (_tags[i] != 0) i = (i + 1) & mask;
        _slots[i] = tb;
        Volatile.Write(ref _tags[i], Tag(tb.Pc));
    }

    void Grow()
    {
        var old = _slots;
        _slots = new TranslationBlock?[old.Length * 2];
        Volatile.Write(ref _tags, new byte[old.Length * 2]);
        foreach (var tb in old)
            if (tb != null) Place(tb);
    }

    /// <summary>Removes <paramref name="tb"/> if the table holds it (not another block at its PC).</summary>
    public void Remove(TranslationBlock tb)
    {
        var slots = _slots;
        var tags = _tags;
        int mask = slots.Length - 1;
        int i = Home(tb.Pc, slots.Length);
        while (slots[i] != tb)
        {
            if (tags[i] == 0) return;
            i = (i + 1) & mask;
        }
        // Move back each later block of the run that the hole would cut off from its home slot.
        for (int j = (i + 1) & mask; slots[j] is { } next; j = (j + 1) & mask)
        {
            int home = Home(next.Pc, slots.Length);
            bool reachable = i <= j ? home > i && home <= j : home > i || home <= j;
            if (reachable) continue;
            slots[i] = next;
            Volatile.Write(ref tags[i], tags[j]);
            i = j;
        }
        slots[i] = null;
        tags[i] = 0;
        Count--;
    }

    /// <summary>Every block in the table (the caller holds the cache's lock and does not change the table meanwhile).</summary>
    public IEnumerable<TranslationBlock> Blocks()
    {
        foreach (var tb in _slots)
            if (tb != null) yield return tb;
    }

    /// <summary>Empties the table and gives back its memory.</summary>
    public void Clear()
    {
        _slots = new TranslationBlock?[1 << InitialBits];
        Volatile.Write(ref _tags, new byte[1 << InitialBits]);
        Count = 0;
    }
}
