using System.Numerics;

namespace UserEmu.Engine;

/// <summary>The translation cache's blocks by guest PC: an open-addressed table of the blocks themselves, each found by its own <see cref="TranslationBlock.Pc"/>.</summary>
/// <remarks>
/// A slot is one reference. The <c>Dictionary&lt;ulong, TranslationBlock&gt;</c> it replaces took 28 bytes an entry at
/// a prime capacity of up to twice the count, plus the arrays it outgrew: ~9 MB of cc1's managed heap for its 120k
/// blocks, against ~3 MB here. Linear probing, at most three quarters full; removal shifts the probe run back, so there
/// are no tombstones. Not thread-safe: the cache's lock guards it.
/// </remarks>
sealed class BlockTable
{
    const int InitialBits = 10;
    TranslationBlock?[] _slots = new TranslationBlock?[1 << InitialBits];

    public int Count { get; private set; }

    // Fibonacci hashing into a table of `length` (a power of two) slots: guest PCs are close together and often
    // aligned, the product's top bits are not.
    static int Home(ulong pc, int length) => (int)((pc * 0x9E3779B97F4A7C15UL) >> (64 - BitOperations.Log2((uint)length)));

    public TranslationBlock? Find(ulong pc)
    {
        var slots = _slots;
        int mask = slots.Length - 1;
        for (int i = Home(pc, slots.Length); ; i = (i + 1) & mask)
        {
            var tb = slots[i];
            if (tb == null || tb.Pc == pc) return tb;
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
        while (_slots[i] != null) i = (i + 1) & mask;
        _slots[i] = tb;
    }

    void Grow()
    {
        var old = _slots;
        _slots = new TranslationBlock?[old.Length * 2];
        foreach (var tb in old)
            if (tb != null) Place(tb);
    }

    /// <summary>Removes <paramref name="tb"/> if the table holds it (not another block at its PC).</summary>
    public void Remove(TranslationBlock tb)
    {
        var slots = _slots;
        int mask = slots.Length - 1;
        int i = Home(tb.Pc, slots.Length);
        while (slots[i] != tb)
        {
            if (slots[i] == null) return;
            i = (i + 1) & mask;
        }
        // Move back each later block of the run that the hole would cut off from its home slot.
        for (int j = (i + 1) & mask; slots[j] is { } next; j = (j + 1) & mask)
        {
            int home = Home(next.Pc, slots.Length);
            bool reachable = i <= j ? home > i && home <= j : home > i || home <= j;
            if (reachable) continue;
            slots[i] = next;
            i = j;
        }
        slots[i] = null;
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
        Count = 0;
    }
}
