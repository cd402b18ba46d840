using System.Diagnostics;
using UserEmu.Backend.IL;
using UserEmu.Backend.Interpreter;
using UserEmu.Backend.Native;
using UserEmu.Host;
using UserEmu.IR;
using UserEmu.Memory;

namespace UserEmu.Engine;

/// <summary>The dispatch loop of one vCPU: find or translate the block at RIP, run it (interpreted while cold, native code once warm, a compiled region once hot), service exits.</summary>
public sealed unsafe class CpuLoop
{
    readonly Vcpu _cpu;
    readonly GuestProcess _proc;
    readonly EngineStats _stats;
    readonly bool _traceExec, _traceCpu, _traceInAsm, _traceOp, _traceOutAsm;
    readonly int _threshold, _nativeThreshold;
    bool _nativeOpen;
    readonly bool _count;

    public CpuLoop(Vcpu cpu)
    {
        _cpu = cpu;
        _proc = cpu.Process;
        _stats = _proc.Stats;
        var o = _proc.Options;
        _traceExec = o.Debug("exec");
        _traceCpu = o.Debug("cpu");
        _traceInAsm = o.Debug("in_asm");
        _traceOp = o.Debug("op");
        _traceOutAsm = o.Debug("out_asm");
        _threshold = o.CompileThreshold;
        _nativeThreshold = o.NativeThreshold;
        _count = _stats.Enabled;
    }

    /// <summary>Runs the guest until it exits; returns the exit status or throws <see cref="GuestTerminatedBySignalException"/>.</summary>
    public int Run()
    {
        _cpu.HostTid = Host.HostCallInterrupt.CurrentHostTid();
        long now = Stopwatch.GetTimestamp();
        Interlocked.CompareExchange(ref _proc.NativeFrom, now + _proc.Options.NativeDelayMs * Stopwatch.Frequency / 1000, 0);
        // Without a delay, the compile thread builds its tables while the first blocks get warm; with one, when the
        // first block is queued (a third of the delay's gain in busybox true was not starting it at all).
        if (_nativeThreshold >= 0 && _proc.Options.NativeDelayMs <= 0) _proc.NativeWorker.StartEarly();
        while (true)
        {
            try
            {
                RunBlocks();
            }
            catch (GuestExitException exit)
            {
                return exit.Status;
            }
            catch (RetryInstructionException)
            {
                // Another thread changed a locked operand mid-instruction, or the instruction stores into the code after
                // it in its block: run the instruction again (RIP points at it).
            }
            catch (GuestFaultException f)
            {
                var info = f.Kind switch
                {
                    FaultKind.GeneralProtection => new GuestSignalInfo(Signals.SIGSEGV, Signals.SI_KERNEL, 0),
                    FaultKind.Bus => new GuestSignalInfo(Signals.SIGBUS, Signals.BUS_ADRERR, f.Address),
                    _ => new GuestSignalInfo(Signals.SIGSEGV, f.Kind == FaultKind.Unmapped ? Signals.SEGV_MAPERR : Signals.SEGV_ACCERR, f.Address),
                };
                _proc.Signals.DeliverSynchronous(_cpu, info);
            }
            catch (GuestSignalException s)
            {
                if (s.Detail != null) HostStderr.Messages.WriteLine($"useremu: {s.Detail}");
                _proc.Signals.DeliverSynchronous(_cpu, new GuestSignalInfo(s.Signal, s.Code, s.Address));
            }
            catch (Exception e) when (e is not (GuestTerminatedBySignalException or GuestThreadExitException))
            {
                // Any other host exception is an emulator bug (the guest's own errors are signals and errnos); escaping,
                // it would end the thread with a .NET stack trace. One line with the guest PC and bytes, then SIGILL there.
                ulong pc = _cpu.State->Rip;
                HostStderr.Messages.WriteLine($"useremu: internal error at guest pc 0x{pc:x} ({GuestBytes(pc)}): {e.GetType().Name}: {e.Message} (-d in_asm,op,exec -D file shows the blocks)");
                _proc.Signals.DeliverSynchronous(_cpu, new GuestSignalInfo(Signals.SIGILL, Signals.ILL_ILLOPN, pc));
            }
        }
    }

    string GuestBytes(ulong pc)
    {
        var bytes = new List<string>();
        for (ulong p = pc; p < pc + 15 && _cpu.Memory.IsAccessible(p, 1, PageFlags.Read); p++) bytes.Add(_cpu.Memory.HostBase[p].ToString("x2"));
        return bytes.Count > 0 ? string.Join(' ', bytes) : "unreadable";
    }

    void RunBlocks()
    {
        var cpu = _cpu;
        var state = cpu.State;
        TranslationBlock? prev = null;
        // The link slot of the native direct exit that led here, or a request to enter this block in the jump table.
        nint pendingLink = 0;
        // Flush count when pendingLink was taken: a flush frees the code the slot is in.
        long linkFlushes = 0;
        while (true)
        {
            ulong pc = state->Rip;
            // An instruction translated alone has run (IrInterpreter.RunAlone).
            if (cpu.AloneAt != ulong.MaxValue && pc != cpu.AloneAt) cpu.AloneAt = ulong.MaxValue;
            TranslationBlock tb;
            if (prev?.Next0 is { } n0 && n0.Pc == pc && n0.Valid) tb = n0;
            else if (prev?.Next1 is { } n1 && n1.Pc == pc && n1.Valid) tb = n1;
            else
            {
                tb = Find(pc);
                if (prev != null)
                {
                    // Two successors cover a conditional branch; a third target (an indirect jump) replaces the older.
                    prev.Next1 = prev.Next0;
                    prev.Next0 = tb;
                }
            }
            if (pendingLink != 0)
            {
                if (_count)
                {
                    if (pendingLink == NativeJumpTable.FillRequest) { if (tb.Native != null) _stats.ExitsFilled++; }
                    else if (tb.Native != null) _stats.ExitsLinked++;
                    else _stats.ExitsToInterpreter++;
                }
                if (tb.Native is { } target && linkFlushes == _proc.Code.Flushes)
                {
                    if (pendingLink == NativeJumpTable.FillRequest) _proc.NativeJumps.Fill(pc, target);
                    else _proc.NativeJumps.Link(pendingLink, target);
                }
                pendingLink = 0;
            }
            if (cpu.LinkFrom is { } from)
            {
                // A compiled region's direct exit came here: link it to its target, which is compiled too now.
                if (tb.Compiled != null) from.Targets[cpu.LinkExit] = tb;
                cpu.LinkFrom = null;
            }
            if (_count) CountDispatch(tb);
            if (_traceExec) _proc.Options.Log.WriteLine($"Trace 0x{tb.Pc:x16} [{(tb.Compiled != null ? "il" : tb.Native != null ? "native" : "interp")}]");
            if (_traceCpu) _proc.Options.Log.Write(CpuDump.Format(state));
            BlockExit exit;
            if (tb.Compiled is { } compiled)
            {
                exit = (BlockExit)compiled(cpu, state);
            }
            else
            {
                uint runs;
                if (tb.Native is { } native)
                {
                    linkFlushes = _proc.Code.Flushes;
                    exit = NativeBlockRunner.Run(native.Body, cpu, _proc.NativeCode, out pendingLink);
                    if (_count) CountNativeExit(exit, pendingLink);
                    // A block that stays native is never counted.
                    runs = native.Region is { } region ? *region.Runs += region.Weight : 0;
                }
                else
                {
                    exit = IrInterpreter.Run(tb, cpu);
                    runs = (uint)++tb.ExecCount;
                    if (runs >= (uint)_nativeThreshold && _nativeThreshold >= 0 && NativeTierOpen() && tb.TakeClaim(TranslationBlock.NativeClaim))
                        TranslateNative(tb);
                    else if (runs == (uint)_nativeThreshold + NativeCompileWorker.HurryRuns && (tb.Claims & TranslationBlock.NativeClaim) != 0)
                        _proc.NativeWorker.Hurry(tb);
                }
                // The claim makes exactly one of several threads running a block compile it.
                if (runs >= (uint)_threshold && _threshold > 0 && (tb.Native == null || tb.Native.BecomesRegion)
                    && tb.TakeClaim(TranslationBlock.CompileClaim))
                    _proc.Compiler.Compile(tb, cpu.Memory);
            }
            if (exit == BlockExit.Syscall)
            {
                long t0 = _stats.Enabled ? Stopwatch.GetTimestamp() : 0;
                _proc.Frontend.EnterSyscall(cpu);
                _proc.Syscalls.Dispatch(cpu);
                if (_stats.Enabled) { _stats.Syscalls++; _stats.SyscallTicks += Stopwatch.GetTimestamp() - t0; }
            }
            // Only a block that ran to a plain exit predicts the next one (a syscall or signal may change RIP).
            prev = exit == BlockExit.Next ? tb : null;
            if (cpu.SignalPending) { _proc.Signals.DeliverPending(cpu); prev = null; pendingLink = 0; }
            if (_proc.Exclusive.Requested) _proc.Exclusive.Park();
            if (state->Interrupt != 0) _proc.Signals.ClearStaleInterrupt(cpu);
        }
    }

    // Whether the process's native-tier delay (EmulatorOptions.NativeDelayMs) is over: a clock read per warm block
    // until it is, none after.
    bool NativeTierOpen()
    {
        if (_nativeOpen) return true;
        if (Stopwatch.GetTimestamp() < _proc.NativeFrom) return false;
        _nativeOpen = true;
        return true;
    }

    void CountNativeExit(BlockExit exit, nint link)
    {
        if (link == NativeJumpTable.FillRequest) _stats.ExitsFill++;
        else if (link != 0) return; // Counted at the next dispatch, which knows whether it links.
        else if (exit == BlockExit.Syscall) _stats.ExitsSyscall++;
        else _stats.ExitsOther++;
    }

    void CountDispatch(TranslationBlock tb)
    {
        _stats.Dispatches++;
        if (tb.Compiled != null) _stats.RegionRuns++;
        else if (tb.Native != null) _stats.NativeEntries++;
        else _stats.InterpretedRuns++;
    }

    void FlushIfFull()
    {
        if (_proc.Code.IsFull(_proc.Options.TranslationCacheBlocks)) Flush(_proc.Options.TranslationCacheBlocks);
    }

    // Apart from FlushIfFull: its lambda's closure would be allocated at every translation, full or not.
    void Flush(int limit) => _proc.FlushTranslations(() => _proc.Code.FlushIfFull(limit));

    // On the process's compile thread where it takes the block, else here.
    void TranslateNative(TranslationBlock tb)
    {
        if (!_proc.NativeWorker.TryQueue(tb)) NativeCompileWorker.Translate(_proc, tb, _traceOutAsm);
    }

    TranslationBlock Find(ulong pc)
    {
        ref var slot = ref _cpu.JumpCache[(int)(pc ^ (pc >> Vcpu.JumpCacheBits)) & ((1 << Vcpu.JumpCacheBits) - 1)];
        var tb = slot;
        if (tb != null && tb.Pc == pc && tb.Valid) return tb;
        if (_count) _stats.JumpCacheMisses++;
        tb = _proc.Code.Lookup(pc);
        if (tb == null || !tb.Valid) tb = Translate(pc);
        slot = tb;
        return tb;
    }

    // -d in_asm: the block's guest instructions, a loop trace's code before its start after them (in the order translated).
    void LogGuestCode(ulong pc, IrBlock ir)
    {
        string trace = ir.TracesLoop ? $"  (loop trace:)\n{_proc.Frontend.Disassemble(_cpu, ir.TraceFrom, ir.TraceEnd)}" : "";
        _proc.Options.Log.Write($"IN: 0x{pc:x}\n{_proc.Frontend.Disassemble(_cpu, pc, ir.GuestEnd)}{trace}\n");
    }

    TranslationBlock Translate(ulong pc)
    {
        // Timed for -d stats only: two clock reads a block were ~1.5 ms of python3 -c pass's 27k blocks.
        long t0 = _stats.Enabled ? Stopwatch.GetTimestamp() : 0;
        // A block that had native code in an earlier run gets it again at once, put in place rather than compiled
        // (~1 us): it would be warm again, and cc1 had interpreted ~0.8M runs of such blocks while they waited. Until
        // the compile thread has made the jump table and code memory, it puts the code in place.
        bool nativeTier = _nativeThreshold > 0 && NativeTierOpen(), nativeNow = nativeTier && _proc.NativeWorker.Ready;
        if (_proc.CodeStore is { } store && pc != _cpu.AloneAt && store.TryLoad(pc, _proc, _cpu.Memory, nativeNow, out var image) is { } stored)
        {
            var tb = Register(stored, null);
            if (!image.IsEmpty && tb == stored && nativeTier && tb.TakeClaim(TranslationBlock.NativeClaim))
            {
                if (nativeNow) NativeCompileWorker.Translate(_proc, tb, trace: false, image);
                else TranslateNative(tb);
            }
            if (_stats.Enabled) _stats.TranslateTicks += Stopwatch.GetTimestamp() - t0;
            return tb;
        }
        var ir = Optimizer.IrOptimizer.Run(_proc.Frontend.Translate(_cpu, pc, transient: true, alone: pc == _cpu.AloneAt));
        if (ir.TracesLoop) _stats.LoopTraces++;
        if (_stats.Enabled) _stats.TranslateTicks += Stopwatch.GetTimestamp() - t0;
        if (_traceInAsm) LogGuestCode(pc, ir);
        if (_traceOp) _proc.Options.Log.Write(IrPrinter.Format(ir));
        return Register(new TranslationBlock(ir, _proc) { Reproducible = true }, pc != _cpu.AloneAt ? ir : null);
    }

    // Adds a block just translated (with its IR, to be kept for the next run) or loaded from the code cache (null).
    TranslationBlock Register(TranslationBlock fresh, IrBlock? ir)
    {
        // Bounded memory for programs that generate code without end (JITs): past the limit, start over.
        FlushIfFull();
        var tb = _proc.Code.Add(fresh, _cpu.Memory);
        if (_cpu.Memory.TakeProtectionFailure()) _proc.FlushTranslations(_proc.Code.Flush);
        if (ir != null && tb == fresh) _proc.CodeStore?.Remember(tb, ir, _cpu.Memory);
        if (_nativeThreshold == 0 && tb.TakeClaim(TranslationBlock.NativeClaim)) TranslateNative(tb);
        if (_threshold == 0 && tb.Compiled == null) _proc.Compiler.Compile(tb, _cpu.Memory);
        ManagedHeapPacing.AfterTranslation();
        return tb;
    }
}
