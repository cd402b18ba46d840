using UserEmu.Backend.IL;
using UserEmu.IR;

namespace UserEmu.Engine;

/// <summary>
/// Decides whether a compiled region pays for the trips through the dispatcher that entering and leaving it costs,
/// and demotes the ones that do not: their blocks go on as native code, chained, and are never compiled again.
/// </summary>
/// <remarks>
/// A native chain cannot enter a region (managed code) and a region cannot continue into native code, so each visit to
/// a region costs two dispatcher round trips (~0.1 µs). A region repays that only when the guest stays in compiled
/// code: loops that iterate, regions that chain into other regions, or helper calls that native code would take
/// through its runner. Measured on 2026-12-02:
/// cc1 -O2 of the benchmark file spent 141M dispatches in 68M region visits (43.7 s user; no regions at all: 37.3 s,
/// 8.8M dispatches), while nbody, string_ops and qsort need their regions (nbody 1.3 s vs 6.9 s without).
/// </remarks>
public static class RegionProbation
{
    /// <summary>Dispatcher entries after which a region is judged.</summary>
    public const int Entries = 4096;
    /// <summary>Steps in compiled code (region entries, chained ones included, loop iterations and helper calls) per
    /// dispatcher entry that a region must average to stay.</summary>
    public const int MinStepsPerEntry = 8;

    static readonly ushort s_inlineCondition = HelperTable.Id(Cpu.X86.FlagHelpers.ConditionPure);

    /// <summary>Whether native code evaluates this pure helper inline (the lazy-flag condition), so a region saves no runner trip on it.</summary>
    public static bool InlineInNativeCode(ushort helper) => helper == s_inlineCondition;

    /// <summary>Called by the dispatcher after it ran <paramref name="tb"/>'s region; demotes it once judged wanting.</summary>
    public static unsafe void Entered(TranslationBlock tb, RegionLinks links, long steps, EngineStats stats)
    {
        links.Steps += steps;
        if (++links.Entries < Entries) return;
        links.OnProbation = false;
        if (links.Steps >= (long)Entries * MinStepsPerEntry) return;
        tb.Compiled = null;
        Interlocked.Increment(ref stats.RegionsDemoted);
        // The native chain entry left for the dispatcher at every run to get here; it counts from zero again.
        if (tb.Native is { } native && *native.Runs < Backend.Native.NativeBlockCompiler.Poisoned) *native.Runs = 0;
    }
}
