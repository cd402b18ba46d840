using UserEmu.Memory;

namespace UserEmu.Engine;

/// <summary>Translated blocks by guest PC, with a per-page index so writes to guest code invalidate its translations.</summary>
public sealed class TranslationCache
{
    readonly BlockTable _byPc = new();
    readonly Dictionary<ulong, List<TranslationBlock>> _byPage = new();
    readonly Lock _lock = new();

    public int Count { get { lock (_lock) return _byPc.Count; } }
    public long BlocksTranslated;
    /// <summary>IR ops and template constants of the blocks translated, and the bytes both take packed (-d stats).</summary>
    public long IrOps, IrBytes, IrConstants;
    public long BlocksCompiled;
    /// <summary>Times the whole cache was dropped because it reached its size limit (-d stats).</summary>
    public long Flushes;

    /// <summary>The block at <paramref name="pc"/>, or null, without the lock: it may miss a block another thread is adding
    /// (then <see cref="Add"/> returns that block to the caller that translated it again) and may return an invalidated one.</summary>
    /// <remarks>The translator asks at each instruction of a superblock, the dispatcher at each jump-cache miss: a lock
    /// pair each was ~1% of a python3 -c pass's vCPU thread.</remarks>
    public TranslationBlock? Lookup(ulong pc) => _byPc.FindUnlocked(pc);

    /// <summary>Adds a block (or returns the one another thread added first) and marks its pages as holding code.</summary>
    public TranslationBlock Add(TranslationBlock tb, GuestAddressSpace memory)
    {
        lock (_lock)
        {
            if (_byPc.Find(tb.Pc) is { } existing) return existing;
            _byPc.Add(tb);
            BlocksTranslated++;
            IrOps += tb.OpCount;
            IrBytes += tb.PackedLength;
            IrConstants += tb.ConstantCount;
            ulong last = (Math.Max(tb.End, tb.Pc + 1) - 1) >> GuestAddressSpace.PageShift;
            for (ulong page = tb.Pc >> GuestAddressSpace.PageShift; page <= last; page++)
            {
                if (!_byPage.TryGetValue(page, out var list)) _byPage[page] = list = new();
                list.Add(tb);
                memory.MarkCodePage(page << GuestAddressSpace.PageShift);
            }
            return tb;
        }
    }

    /// <summary>Makes <paramref name="tb"/> depend on guest code in [start, end) too (a compiled region spanning other blocks).</summary>
    public void AddDependency(TranslationBlock tb, ulong start, ulong end, GuestAddressSpace memory)
    {
        lock (_lock)
        {
            ulong last = (Math.Max(end, start + 1) - 1) >> GuestAddressSpace.PageShift;
            for (ulong page = start >> GuestAddressSpace.PageShift; page <= last; page++)
            {
                if (!_byPage.TryGetValue(page, out var list)) _byPage[page] = list = new();
                if (!list.Contains(tb)) list.Add(tb);
                memory.MarkCodePage(page << GuestAddressSpace.PageShift);
            }
        }
    }

    /// <summary>Drops every block made from the page holding <paramref name="addr"/>; <paramref name="codeReadable"/>: its code is still there to read (a write is about to change it), so blocks a thread may be running keep their IR (see TranslationBlock.Invalidate).</summary>
    public void InvalidatePage(ulong addr, bool codeReadable = false)
    {
        lock (_lock)
        {
            if (!_byPage.Remove(addr >> GuestAddressSpace.PageShift, out var list)) return;
            foreach (var tb in list)
            {
                Drop(tb, mayBeRunning: codeReadable);
                _byPc.Remove(tb);
            }
        }
    }

    static void Drop(TranslationBlock tb, bool mayBeRunning) => tb.Invalidate(mayBeRunning);

    /// <summary>Whether the cache holds <paramref name="limit"/> blocks or more (0: no limit), read without the lock: a translation asks each time, and <see cref="FlushIfFull"/> asks again under it.</summary>
    public bool IsFull(int limit) => limit > 0 && _byPc.Count >= limit;

    /// <summary>Drops every block (QEMU's tb_flush), when the cache holds <paramref name="limit"/> blocks or more; true if it did.</summary>
    /// <remarks>
    /// QEMU flushes with all threads out of translated code because it reuses the code buffer. Here a block is a
    /// managed object: a thread still running one (or holding it in its jump cache) keeps it alive and sees it
    /// invalid at its next lookup, exactly as after a write to guest code, so the caller's block boundary is a safe point.
    /// </remarks>
    public bool FlushIfFull(int limit)
    {
        lock (_lock) return limit > 0 && _byPc.Count >= limit && Flush();
    }

    /// <summary>Drops every block; true.</summary>
    public bool Flush()
    {
        lock (_lock)
        {
            // Cleared successor links keep a stale block still held by some jump cache from holding the old cache alive.
            // Every other thread is parked at a block boundary (GuestProcess.FlushTranslations): none is inside one.
            foreach (var tb in _byPc.Blocks()) Drop(tb, mayBeRunning: false);
            foreach (var list in _byPage.Values)
                foreach (var tb in list) Drop(tb, mayBeRunning: false);
            _byPc.Clear();
            _byPage.Clear();
            _byPage.TrimExcess();
            Interlocked.Increment(ref Flushes);
            return true;
        }
    }

    /// <summary>Drops every block overlapping [start, end) (munmap, mprotect removing exec).</summary>
    public void InvalidateRange(ulong start, ulong end)
    {
        for (ulong a = start & ~GuestAddressSpace.PageMask; a < end; a += GuestAddressSpace.PageSize)
        {
            bool any;
            lock (_lock) any = _byPage.ContainsKey(a >> GuestAddressSpace.PageShift);
            if (any) InvalidatePage(a);
        }
    }
}
