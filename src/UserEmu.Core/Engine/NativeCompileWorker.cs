using System.Diagnostics;
using UserEmu.Backend.Native;
using UserEmu.Host;
using UserEmu.IR;

namespace UserEmu.Engine;

/// <summary>Translates warm blocks to native code on a host thread of its own, so the vCPU that found them warm goes on interpreting them meanwhile instead of waiting ~13 µs per block.</summary>
/// <remarks>
/// The host has a second core that a single-threaded guest leaves idle; python3 translates ~18k blocks and cc1 ~137k to
/// native code, 0.23 s and 1.2 s of their critical path. The thread waits for work through a <see cref="ForkGate"/>
/// (so a host fork finds it outside managed code: the queue is short, and a fork waits until it is empty) and holds
/// <see cref="_compiling"/> while it compiles, which a translation cache flush takes before it frees native code.
/// A forked child has no such thread: it compiles on its vCPU thread, as does a run with -d logging or a native
/// threshold of 0 (whose tests expect native code at once).
/// </remarks>
public sealed unsafe class NativeCompileWorker(GuestProcess proc)
{
    const int MaxQueued = 256, SpinMicroseconds = 20;

    readonly Queue<TranslationBlock> _queue = new();
    // Queued blocks that kept running while they waited (Hurry), taken first.
    readonly Queue<TranslationBlock> _urgent = new();
    readonly Lock _lock = new();
    readonly Lock _compiling = new();
    // Futex word: bumped at each enqueue, so a waiter that saw the queue empty wakes for anything added since.
    readonly int* _work = (int*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(sizeof(int));
    // 1 while the thread is about to wait or waiting: only then does an enqueue make the wake system call (python3
    // queues ~11k blocks at start-up, mostly while the thread is busy; each wake was ~4% of its start-up).
    int _sleeping;
    int* _gate;
    nint _thread;
    bool _off = proc.Options.NativeThreshold <= 0 || proc.Options.DebugItems.Any(item => item != "stats");
    volatile bool _ready;

    /// <summary>
    /// Whether a vCPU thread may put stored native code in place itself: the thread has made the jump table and the
    /// first chunk of code memory (~3 ms and a 2 MiB page to clear: busybox true's guest thread had made them when it
    /// loaded its first blocks), or there is no thread.
    /// </summary>
    public bool Ready => _off || _ready;

    /// <summary>Queues <paramref name="tb"/> for translation (or, with the queue full, leaves it to be offered again); false when the vCPU must translate it itself.</summary>
    public bool TryQueue(TranslationBlock tb)
    {
        if (_off) return false;
        lock (_lock)
        {
            if (_queue.Count >= MaxQueued)
            {
                // Behind 256 blocks (~3.5 ms of work), it is offered again after as many runs as it took to get here:
                // translating it on the vCPU thread instead (~13 us) held up the guest for a block that mostly runs
                // only a few more times (cc1 9.43 -> 9.27 s, python3 -c pass 275 -> 268 ms, medians of interleaved runs).
                tb.ExecCount = 0;
                tb.ReleaseClaim(TranslationBlock.NativeClaim);
                return true;
            }
            _queue.Enqueue(tb);
            if (_thread == 0) Start();
        }
        Wake();
        return true;
    }

    /// <summary>
    /// Moves a queued block ahead of the queue: it has run <see cref="HurryRuns"/> times more, interpreted, while it waited.
    /// </summary>
    /// <remarks>
    /// Blocks are queued after a few runs, in bursts (python3 queues ~11k at start-up), and most interpreted runs were
    /// of blocks waiting there (python3 json_sha 202k of 312k, cc1 748k of 1.33M, lua 34k of 44k): the ones that keep
    /// running are the ones whose native code pays at once.
    /// </remarks>
    public void Hurry(TranslationBlock tb)
    {
        if (_off) return;
        lock (_lock)
        {
            if (_urgent.Count >= MaxQueued) return;
            _urgent.Enqueue(tb);
        }
        Wake();
    }

    /// <summary>Interpreted runs of a queued block after which <see cref="Hurry"/> moves it ahead.</summary>
    public const int HurryRuns = 8;

    void Wake()
    {
        // Increment then read, as the thread writes _sleeping then reads _work (in the futex): one of them sees the other.
        Interlocked.Increment(ref *_work);
        // Only the first enqueue after the thread went to sleep wakes it: a woken thread took up to ~2.5 ms to be back
        // on a CPU here (a PVM guest's idle vCPU), and every enqueue meanwhile had made the system call again (~35 in a
        // busybox true, ~10 us each on its vCPU thread). Taking the flag is atomic, so two threads cannot both skip it.
        if (Volatile.Read(ref _sleeping) != 0 && Interlocked.Exchange(ref _sleeping, 0) != 0) ForkGate.FutexWake(_work);
    }

    /// <summary>
    /// Starts the thread as the guest starts, before any block is warm: it builds the compiler's tables first, while the
    /// guest's first blocks run interpreted on the other core, and the first warm block no longer waits ~4 ms for the
    /// thread, the helper ids' reflection and the jump table (busybox true's guest had been running for ~1 ms then).
    /// </summary>
    public void StartEarly()
    {
        if (_off) return;
        lock (_lock)
            if (_thread == 0) Start();
    }

    void Start()
    {
        _gate = ForkGate.Create();
        _thread = HostThread.Start(Run, "useremu native");
    }

    void Run()
    {
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(NativeBlockCompiler).TypeHandle);
        if (proc.Compiler.Chain) _ = proc.NativeJumps;
        lock (_compiling) proc.NativeCode.PrepareFirst();
        _ready = true;
        while (true)
        {
            int seen = Volatile.Read(ref *_work);
            TranslationBlock? tb;
            lock (_lock)
                if (!_urgent.TryDequeue(out tb)) _queue.TryDequeue(out tb);
            if (tb == null)
            {
                // Idle: fresh code memory backed now rather than when the next block is placed there.
                lock (_compiling) proc.NativeCode.PrepareAhead();
                if (Volatile.Read(ref *_work) != seen) continue;
                // A while in a spin before sleeping: warm blocks come in bursts, and each sleep made the next enqueue a
                // futex wake (~5k of them in a python3 -c pass, 2.4% of its guest thread; 20 us of spinning leaves ~500).
                long until = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 1_000_000 * SpinMicroseconds;
                while (Volatile.Read(ref *_work) == seen && Stopwatch.GetTimestamp() < until) Thread.SpinWait(16);
                if (Volatile.Read(ref *_work) != seen) continue;
                Interlocked.Exchange(ref _sleeping, 1);
                ForkGate.FutexWait(_gate, _work, seen, null);
                Volatile.Write(ref _sleeping, 0);
                continue;
            }
            lock (_compiling)
                if (tb.Valid && tb.Native == null) Translate(proc, tb, trace: false);
        }
    }

    /// <summary>Runs <paramref name="action"/> while no block is being translated here (a flush frees the code it places).</summary>
    public void WhileIdle(Action action)
    {
        lock (_compiling) action();
    }

    /// <summary>In a forked child: the thread did not come along; blocks queued in the parent are translated when next found warm.</summary>
    public void AfterForkInChild()
    {
        _off = true;
        foreach (var tb in _queue) tb.ReleaseClaim(TranslationBlock.NativeClaim);
        _queue.Clear();
        _urgent.Clear();
    }

    /// <summary>Translates <paramref name="tb"/> to native code and publishes it (-d out_asm logs it when <paramref name="trace"/>).</summary>
    /// <param name="stored">The code an earlier run compiled from the same IR (the persistent code cache), to be put in place rather than compiled.</param>
    public static void Translate(GuestProcess proc, TranslationBlock tb, bool trace, ReadOnlySpan<byte> stored = default)
    {
        long t0 = proc.Stats.Enabled ? Stopwatch.GetTimestamp() : 0;
        try
        {
            // A block loaded before the native tier was ready: its stored image, if any, is looked up here.
            if (stored.IsEmpty && tb.InCodeCache && proc.CodeStore is { } store) stored = store.TryLoadNative(tb);
            var code = NativeBlockCompiler.Compile(tb, proc.NativeCode, proc.Compiler.Chain, proc.Options.CompileThreshold, proc.NativeJumps,
                proc.Memory.ProtectsCodePages, stored);
            if (code == null) return;
            if (NativeBlockCompiler.LastImage is { IsEmpty: false } image) proc.CodeStore?.RememberNative(tb, image);
            else if (!stored.IsEmpty) Interlocked.Increment(ref proc.Stats.NativeFromCodeCache);
            // Published after the code is complete (volatile field), so any thread that sees it can run it.
            tb.Native = code;
            // At once: IR dropped while young is collected with gen0 (dropped later, from the compile thread's idle
            // time, it had been promoted and stayed, and cc1's peak RSS did not move).
            if (tb.DropIrIfReproducible() is var dropped and > 0)
            {
                Interlocked.Increment(ref proc.Stats.IrDropped);
                Interlocked.Add(ref proc.Stats.IrDroppedBytes, dropped);
            }
            if (trace) proc.Options.Log.Write($"OUT: [native] 0x{tb.Pc:x}\n{NativeDisassembler.Format(code)}\n");
            if (proc.Options.PerfMap)
            {
                PerfMap.Add((nint)code.IndirectEntry, code.Length, tb.Pc);
                if (code.ColdLength > 0) PerfMap.Add((nint)code.Cold, code.ColdLength, tb.Pc, cold: true);
            }
            Interlocked.Increment(ref proc.Stats.NativeBlocks);
            if (code.LoopEntry != null) Interlocked.Increment(ref proc.Stats.NativeLoops);
        }
        catch (Iced.Intel.EncoderException ex)
        {
            // A native-tier bug must not kill the guest: the block stays interpreted (its claim stays taken).
            proc.Options.Log.WriteLine($"useremu: internal error translating block 0x{tb.Pc:x} to native code: {ex.Message} (kept interpreting; -d op shows its IR)");
        }
        finally
        {
            if (proc.Stats.Enabled) Interlocked.Add(ref proc.Stats.NativeTicks, Stopwatch.GetTimestamp() - t0);
        }
    }
}
