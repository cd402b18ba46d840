using System.Diagnostics;
using UserEmu.Backend.IL;
using UserEmu.IR;
using UserEmu.Memory;

namespace UserEmu.Engine;

/// <summary>Compiles hot blocks, with the already-run blocks they jump to, into IL regions.</summary>
/// <remarks>
/// Compiling on a second thread while the guest ran on interpreted was tried (session of 2026-12-01) and lost on this
/// 2-core machine under load (python3 json: 22.4 s -> 28.4 s; blocks stayed interpreted while queued), and forked
/// children lost output with it; regions are compiled on the guest thread that made them hot.
/// </remarks>
public sealed class RegionCompiler(GuestProcess proc)
{
    /// <summary>Max blocks compiled into one method: enough for typical inner loops, small enough to JIT quickly.</summary>
    const int MaxRegionBlocks = 16;

    // Tracing each block (-d exec, cpu) needs every block to come back through the dispatcher.
    public bool Chain => !proc.Options.Debug("exec") && !proc.Options.Debug("cpu");

    /// <summary>The hot block plus the already-run blocks reachable from it by direct jumps, so loops run inside one method.</summary>
    List<PreparedBlock> CollectRegion(TranslationBlock entry)
    {
        var region = new List<PreparedBlock> { entry };
        var seen = new HashSet<ulong> { entry.Pc };
        var targets = new List<long>();
        for (int k = 0; k < region.Count && region.Count < MaxRegionBlocks; k++)
        {
            // A superblock's side exits first, in order, then its end.
            targets.Clear();
            foreach (ref readonly var i in region[k].Code.AsSpan())
            {
                if (i.Op is IrOp.Jump or IrOp.Branch or IrOp.SideExit) targets.Add(i.Imm);
                if (i.Op == IrOp.Branch) targets.Add(i.Imm2);
            }
            for (int t = 0; t < targets.Count && region.Count < MaxRegionBlocks; t++)
            {
                ulong pc = (ulong)targets[t];
                if (!seen.Add(pc)) continue;
                var next = proc.Code.Lookup(pc);
                if (next is { Valid: true } && (next.ExecCount != 0 || next.Native != null || next.Compiled != null)) region.Add(next);
            }
        }
        return region;
    }

    /// <summary>Compiles and publishes <paramref name="tb"/>'s region (on the calling thread).</summary>
    public void Compile(TranslationBlock tb, GuestAddressSpace memory)
    {
        var stats = proc.Stats;
        long t0 = Stopwatch.GetTimestamp();
        try
        {
            var region = CollectRegion(tb);
            CompiledBlock? compiled;
            while ((compiled = IlBlockCompiler.TryCompile(region, memory, IlBlockCompiler.MaxRegionIlBytes, Chain)) == null)
            {
                // Too big for RyuJIT to optimise: keep the first half (in discovery order, so still connected).
                region.RemoveRange((region.Count + 1) / 2, region.Count / 2);
                Interlocked.Increment(ref stats.RegionsSplit);
            }
            foreach (var member in region)
                if (member != tb) proc.Code.AddDependency(tb, member.GuestPc, member.GuestEnd, memory);
            // A member overwritten while this was compiled would leave the region running stale code.
            foreach (var member in region)
                if (proc.Code.Lookup(member.GuestPc) is not { Valid: true } current || current != member) return;
            tb.Compiled = compiled;
            Interlocked.Increment(ref proc.Code.BlocksCompiled);
        }
        catch (InvalidProgramException ex)
        {
            // An IL backend bug must not kill the guest: the block keeps running in the interpreter (its compile claim
            // stays taken, so it is not tried again).
            proc.Options.Log.WriteLine($"useremu: internal error compiling block 0x{tb.Pc:x}: {ex.Message} (kept interpreting; -d op shows its IR)");
        }
        finally
        {
            Interlocked.Add(ref stats.CompileTicks, Stopwatch.GetTimestamp() - t0);
        }
    }
}
