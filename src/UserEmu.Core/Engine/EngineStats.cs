using System.Diagnostics;

namespace UserEmu.Engine;

/// <summary>Engine counters reported by <c>-d stats</c>.</summary>
public sealed class EngineStats
{
    public bool Enabled;
    public long Syscalls;
    public long SyscallTicks;
    public long TranslateTicks;
    public long CompileTicks;
    public long NativeBlocks;
    /// <summary>Native blocks that branch back to themselves holding guest registers in host registers across (NativeBlockCompiler.LoopCarried.cs).</summary>
    public long NativeLoops;
    /// <summary>Blocks translated as loop traces (Frontend.X86.LoopTrace).</summary>
    public long LoopTraces;
    /// <summary>Blocks loaded from the persistent code cache instead of translated (counted in blocks translated too).</summary>
    public long CodeCacheLoads;
    /// <summary>Blocks whose native code came from the persistent code cache rather than the compiler.</summary>
    public long NativeFromCodeCache;
    public long NativeTicks;
    public long RegionsSplit;
    /// <summary>Native blocks whose IR was dropped (see TranslationBlock.DroppedIr.cs), its bytes, and the IRs packed again since.</summary>
    public long IrDropped, IrDroppedBytes, IrRestored;
    // Dispatcher counters (not atomic: threads may lose counts). A native entry runs a chain of blocks.
    public long Dispatches, JumpCacheMisses, InterpretedRuns, NativeEntries, RegionRuns;
    // Why native code came back: a direct exit not linked yet (to a block with native code, which it is linked to
    // then, or without), an indirect jump whose jump-table entry missed, a system call, anything else (the chain
    // budget, an exit that is never linked, a signal).
    public long ExitsLinked, ExitsToInterpreter, ExitsFill, ExitsFilled, ExitsSyscall, ExitsOther;
    /// <summary>The ops native code handed back to the managed side (helpers, accesses that failed the inline check), by op and helper.</summary>
    /// <remarks>Made only for -d stats: a dictionary over this key type is JIT-compiled at first use.</remarks>
    Dictionary<(IR.IrOp Op, ushort Helper), long>? _handBacks;

    /// <summary>Counts the ops native code hands back (see <see cref="Backend.Native.NativeBlockRunner.CountHandBacksIn"/>).</summary>
    public void CountHandBacks() => _handBacks ??= new();

    public void CountHandBack(in IR.IrInstr i)
    {
        var key = (i.Op, i.Op is IR.IrOp.Call or IR.IrOp.PureCall ? i.Helper : (ushort)0);
        var counts = _handBacks!;
        lock (counts) counts[key] = counts.GetValueOrDefault(key) + 1;
    }

    string FormatHandBacks()
    {
        long total;
        List<KeyValuePair<(IR.IrOp Op, ushort Helper), long>> top;
        var counts = _handBacks ?? new();
        lock (counts)
        {
            total = counts.Values.Sum();
            top = counts.OrderByDescending(e => e.Value).Take(6).ToList();
        }
        static string Name((IR.IrOp Op, ushort Helper) k) => k.Helper != 0 ? IR.HelperTable.Name(k.Helper) : k.Op.ToString();
        return $"useremu stats: ops native code handed back {total}" + (top.Count > 0 ? ": " + string.Join(", ", top.Select(e => $"{Name(e.Key)} {e.Value}")) : "");
    }

    static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    public string Format(TranslationCache code, Backend.Native.NativeCodeArena native) =>
        $"useremu stats: blocks translated {code.BlocksTranslated} ({Ms(TranslateTicks):F1} ms; IR {code.IrOps} ops, {code.IrConstants} constants: {code.IrBytes >> 20} MiB; {LoopTraces} loop traces; {CodeCacheLoads} from the code cache), native {NativeBlocks} ({Ms(NativeTicks):F1} ms; {NativeFromCodeCache} from the code cache; {native.Used >> 10} KiB, {native.ColdUsed >> 10} of it cold; {native.StubsMade} stubs made when first reached, {NativeLoops} loops keeping registers across), compiled to IL {code.BlocksCompiled} ({Ms(CompileTicks):F1} ms, {RegionsSplit} regions halved to fit the JIT), " +
        $"IR dropped for {IrDropped} native blocks ({IrDroppedBytes >> 20} MiB), packed again for {IrRestored}, " +
        $"syscalls {Syscalls} ({Ms(SyscallTicks):F1} ms), cache flushes {code.Flushes}\n" +
        $"useremu stats: managed heap {GC.GetTotalMemory(false) >> 20} MiB ({GcAtLastCollection()}), {GC.GetTotalAllocatedBytes() >> 20} MiB allocated in all, GCs {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} (gen 0/1/2), paused {GC.GetTotalPauseDuration().TotalMilliseconds:F1} ms\n" +
        $"useremu stats: dispatches {Dispatches} (jump cache misses {JumpCacheMisses}): interpreted blocks {InterpretedRuns}, native entries {NativeEntries}, region runs {RegionRuns}\n" +
        $"useremu stats: native code came back {ExitsLinked + ExitsToInterpreter + ExitsFill + ExitsSyscall + ExitsOther} times: direct exits linked then {ExitsLinked}, direct exits to blocks without native code {ExitsToInterpreter}, jump-table misses {ExitsFill} ({ExitsFilled} to blocks with native code), syscalls {ExitsSyscall}, other {ExitsOther}\n" +
        FormatHandBacks();

    // What the last collection left: committed memory, heap size and its free fragments, each generation's size (the
    // GC's committed memory, not the live objects, is what counts in the peak RSS).
    static string GcAtLastCollection()
    {
        var info = GC.GetGCMemoryInfo();
        if (info.Index == 0) return "no collection yet";
        var gens = info.GenerationInfo;
        return $"at the last GC: {info.TotalCommittedBytes >> 20} MiB committed, heap {info.HeapSizeBytes >> 20} MiB of which {info.FragmentedBytes >> 20} free, " +
            $"gen 0/1/2/LOH {gens[0].SizeAfterBytes >> 20}/{gens[1].SizeAfterBytes >> 20}/{gens[2].SizeAfterBytes >> 20}/{gens[3].SizeAfterBytes >> 20} MiB";
    }
}
