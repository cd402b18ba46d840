using System.Diagnostics;
using UserEmu.Backend.IL;
using UserEmu.IR;
using UserEmu.Memory;

namespace UserEmu.Engine;

/// <summary>
/// Compiles hot blocks, with the already-run blocks they jump to, into IL regions; on a background thread when the
/// process has a compile threshold, so the guest keeps running (interpreted) while RyuJIT works on another core.
/// </summary>
/// <remarks>
/// A guest fork must not happen while the worker is inside the JIT (it holds runtime locks the child would inherit
/// locked): <see cref="PauseForFork"/> waits for the compile in progress and holds the worker off until
/// <see cref="ResumeAfterFork"/>. The child has no worker thread; one is started again on its first request.
/// </remarks>
public sealed unsafe class RegionCompiler(GuestProcess proc)
{
    /// <summary>Max blocks compiled into one method: enough for typical inner loops, small enough to JIT quickly.</summary>
    const int MaxRegionBlocks = 16;
    /// <summary>Requests waiting beyond this are dropped (their blocks are requested again when next hot).</summary>
    const int MaxQueued = 256;

    readonly Lock _gate = new();
    readonly object _queueLock = new(); // a Monitor: the worker waits on it
    readonly Queue<TranslationBlock> _queue = new();
    Thread? _worker;
    // Tracing each block (-d exec, cpu) needs every block to come back through the dispatcher.
    bool Chain => !proc.Options.Debug("exec") && !proc.Options.Debug("cpu");

    /// <summary>Compiles <paramref name="tb"/> soon: on the worker when background compilation is on, else now.</summary>
    public void Request(TranslationBlock tb, GuestAddressSpace memory)
    {
        if (!proc.Options.BackgroundCompile)
        {
            Compile(tb, memory);
            return;
        }
        lock (_queueLock)
        {
            if (_queue.Count >= MaxQueued) return;
            _queue.Enqueue(tb);
            if (_worker == null)
            {
                _worker = new Thread(() => Work(memory)) { IsBackground = true, Name = "useremu jit" };
                _worker.Start();
            }
            else
            {
                Monitor.Pulse(_queueLock);
            }
        }
    }

    void Work(GuestAddressSpace memory)
    {
        while (true)
        {
            TranslationBlock tb;
            lock (_queueLock)
            {
                while (_queue.Count == 0) Monitor.Wait(_queueLock);
                tb = _queue.Dequeue();
            }
            lock (_gate)
            {
                if (tb.Valid && tb.Compiled == null) Compile(tb, memory);
            }
        }
    }

    /// <summary>Before a host fork: waits for the compile in progress and keeps the worker out of the JIT.</summary>
    public void PauseForFork()
    {
        _gate.Enter();
        Monitor.Enter(_queueLock);
    }

    /// <summary>After a host fork, in parent and child; the child forgets the worker, which did not survive the fork.</summary>
    public void ResumeAfterFork(bool child)
    {
        if (child)
        {
            _queue.Clear();
            _worker = null;
        }
        Monitor.Exit(_queueLock);
        _gate.Exit();
    }

    /// <summary>The hot block plus the already-run blocks reachable from it by direct jumps, so loops run inside one method.</summary>
    List<IrBlock> CollectRegion(TranslationBlock entry)
    {
        var region = new List<IrBlock> { entry.Ir };
        var seen = new HashSet<ulong> { entry.Pc };
        for (int k = 0; k < region.Count && region.Count < MaxRegionBlocks; k++)
        {
            ref readonly var exit = ref region[k].Code[^1];
            Span<long> targets = stackalloc long[2];
            int n = 0;
            if (exit.Op == IrOp.Jump) targets[n++] = exit.Imm;
            else if (exit.Op == IrOp.Branch) { targets[n++] = exit.Imm; targets[n++] = exit.Imm2; }
            for (int t = 0; t < n && region.Count < MaxRegionBlocks; t++)
            {
                ulong pc = (ulong)targets[t];
                if (!seen.Add(pc)) continue;
                var next = proc.Code.Lookup(pc);
                if (next is { Valid: true } && (next.ExecCount != 0 || next.Compiled != null)) region.Add(next.Ir);
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
                if (member != tb.Ir) proc.Code.AddDependency(tb, member.GuestPc, member.GuestEnd, memory);
            // JIT-compile now (a null state returns at once), so that the guest thread never waits for RyuJIT.
            compiled(null!, null);
            // A member overwritten while this was compiled would leave the region running stale code.
            foreach (var member in region)
                if (proc.Code.Lookup(member.GuestPc) is not { Valid: true } current || current.Ir != member) return;
            tb.Compiled = compiled;
            Interlocked.Increment(ref proc.Code.BlocksCompiled);
        }
        catch (InvalidProgramException ex)
        {
            // An IL backend bug must not kill the guest: the block keeps running in the interpreter.
            proc.Options.Log.WriteLine($"useremu: internal error compiling block 0x{tb.Pc:x}: {ex.Message} (kept interpreting; -d op shows its IR)");
            tb.ExecCount = int.MinValue;
        }
        finally
        {
            Interlocked.Add(ref stats.CompileTicks, Stopwatch.GetTimestamp() - t0);
        }
    }
}
