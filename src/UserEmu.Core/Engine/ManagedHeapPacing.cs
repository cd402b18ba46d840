namespace UserEmu.Engine;

/// <summary>Compacts the young managed generations after every 12 MiB that translation allocates, once a program has allocated 32 MiB.</summary>
/// <remarks>
/// Translation allocates long-lived objects (a block, later its native code) among short-lived ones (the block's IR,
/// dropped once its native code is out, and the translator's own garbage). The runtime's collections, tens of MiB
/// apart, sweep: the holes stay resident in the regions the long-lived objects keep. cc1 allocated 69 MiB, ~35 MiB
/// live at its end, and its GC heap's resident size was ~58 MB; with a compacting gen1 collection after every 12 MiB
/// it is ~42 MB (peak RSS 174.5 -> 164.5 MB), for ~80 ms of pauses over 6 s. A program that allocates less than
/// 32 MiB in all (most do) never pays for one: python3's first came at 12 MiB and paused it 28 ms for 0.8 MB.
/// </remarks>
static class ManagedHeapPacing
{
    const long Budget = 12 << 20, Start = 32 << 20;
    // Translations between looks at the allocation count (a look costs ~100 ns; a translation ~4 us).
    const int Period = 64;
    static int s_translations, s_collections = -1;
    static long s_allocatedAtCollection;

    /// <summary>Called after each translation (from any vCPU thread; races only shift when a collection comes).</summary>
    public static void AfterTranslation()
    {
        if (++s_translations % Period != 0) return;
        long allocated = GC.GetTotalAllocatedBytes(precise: false);
        int collections = GC.CollectionCount(0);
        if (collections != s_collections)
        {
            s_collections = collections;
            s_allocatedAtCollection = allocated;
            return;
        }
        if (allocated < Start || allocated - s_allocatedAtCollection < Budget) return;
        GC.Collect(1, GCCollectionMode.Forced, blocking: true, compacting: true);
        s_collections = GC.CollectionCount(0);
        s_allocatedAtCollection = allocated;
    }
}
