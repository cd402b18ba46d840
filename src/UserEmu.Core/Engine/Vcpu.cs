using System.Runtime.InteropServices;
using UserEmu.Cpu.X86;
using UserEmu.Memory;

namespace UserEmu.Engine;

/// <summary>One guest thread: its architectural state and the process it belongs to.</summary>
public sealed unsafe class Vcpu : IDisposable
{
    public readonly CpuState* State;
    /// <summary>log2 of the <see cref="JumpCache"/> size.</summary>
    public const int JumpCacheBits = 14;
    /// <summary>Recently run blocks by hashed guest PC: the dispatcher's first lookup, and compiled code's for indirect jumps.</summary>
    public readonly TranslationBlock?[] JumpCache = new TranslationBlock?[1 << JumpCacheBits];
    /// <summary>The region whose unlinked direct exit <see cref="LinkExit"/> just returned to the dispatcher (null: none).</summary>
    public Backend.IL.RegionLinks? LinkFrom;
    public int LinkExit;
    public readonly GuestProcess Process;
    public readonly GuestAddressSpace Memory;
    /// <summary>Guest thread id (the host tid of the thread running it).</summary>
    public int Tid;
    /// <summary>Host thread id of the thread running this vCPU's dispatch loop (where a kick is aimed).</summary>
    public int HostTid;
    /// <summary>set_tid_address / CLONE_CHILD_CLEARTID location.</summary>
    public ulong ClearChildTid;
    public ulong RobustList;
    public ulong RobustListLength;
    /// <summary>Blocked signals (bit n-1 for signal n), per thread as rt_sigprocmask sees it.</summary>
    public ulong SignalMask;
    /// <summary>sigaltstack: base, size, flags.</summary>
    public ulong AltStackBase, AltStackSize;
    public int AltStackFlags;

    /// <summary>rt_sigsuspend's mask to restore: the signal frame saves it instead of the temporary mask.</summary>
    public bool HasSavedMask;
    public ulong SavedMask;

    /// <summary>How the syscall that just returned -EINTR because of a signal is to be restarted (decided at delivery).</summary>
    public SyscallRestart PendingRestart;
    /// <summary>The syscall number to put back when restarting.</summary>
    public ulong RestartNumber;
    /// <summary>The instruction to translate alone at its next run: it stores into the code after it in its block (IrInterpreter.RunAlone); ulong.MaxValue: none.</summary>
    public ulong AloneAt = ulong.MaxValue;

    /// <summary>The value a locked read-modify-write loaded, which its store-conditional expects to find still there (in the state, where native code keeps it too).</summary>
    public ulong LinkedValue
    {
        get => State->LinkedValue;
        set => State->LinkedValue = value;
    }

    /// <summary>Set by the syscall bridge while a handler runs on the host (a signal for this thread then kicks it out of a blocking host call).</summary>
    public volatile int InHostCall;

    /// <summary>Something was queued for this thread: the dispatch loop looks at the queues at the next block boundary.</summary>
    public volatile bool SignalPending;

    readonly Queue<GuestSignalInfo> _pending = new();
    readonly object _wake = new();
    int _wakeCount;

    /// <summary>What this vCPU sleeps on inside an emulated blocking call (a futex waiter), so a signal can wake it.</summary>
    public volatile object? BlockedOn;

    /// <summary>Queues a signal directed at this thread (any thread may call). Standard signals are not queued twice.</summary>
    public void Enqueue(GuestSignalInfo info)
    {
        lock (_pending)
        {
            if (info.Signal < 32)
                foreach (var s in _pending)
                    if (s.Signal == info.Signal) return;
            _pending.Enqueue(info);
        }
        Notify();
    }

    /// <summary>Makes this thread look at its queues: flags the dispatch loop and wakes any emulated or host sleep.</summary>
    public void Notify()
    {
        // Only a signal this thread can take stops its code: a blocked one must not make every compiled loop of the
        // process leave at each back edge for as long as it stays pending (SetSignalMask re-checks on unblocking).
        bool deliverable = HasDeliverableSignal;
        if (deliverable)
        {
            SignalPending = true;
            GuestSignals.Interrupt(this);
        }
        Interlocked.MemoryBarrier();
        Threads.FutexTable.Interrupt(this);
        lock (_wake)
        {
            _wakeCount++;
            Monitor.PulseAll(_wake); // sigtimedwait sleepers wait for blocked signals too
        }
        if (deliverable && InHostCall != 0) Host.HostCallInterrupt.Kick(this);
    }

    /// <summary>A counter that changes whenever <see cref="Notify"/> runs: read it before checking a condition, then <see cref="Sleep"/>.</summary>
    public int WakeCount { get { lock (_wake) return _wakeCount; } }

    /// <summary>Sleeps until <see cref="Notify"/> runs after <paramref name="seen"/> was read, or until <paramref name="timeoutMs"/> (-1: none).</summary>
    public void Sleep(int seen, int timeoutMs)
    {
        lock (_wake)
            if (_wakeCount == seen) Monitor.Wait(_wake, timeoutMs);
    }

    ulong Deliverable(ulong blockedMask) => ~blockedMask | (1UL << (Signals.SIGKILL - 1)) | (1UL << (Signals.SIGSTOP - 1));

    /// <summary>True if a queued signal (this thread's or the process's) is not blocked: an emulated blocking call must then return EINTR.</summary>
    public bool HasDeliverableSignal => (PendingSet() & Deliverable(SignalMask)) != 0;

    /// <summary>Signals pending for this thread or the whole process (bit n-1 for signal n): rt_sigpending reports these.</summary>
    public ulong PendingSet()
    {
        ulong set = 0;
        lock (_pending)
            foreach (var s in _pending)
                set |= 1UL << (s.Signal - 1);
        return set | Process.Signals.SharedPendingSet();
    }

    /// <summary>Dequeues the first pending signal that is not blocked (this thread's queue first, then the process's).</summary>
    public bool TakePending(out GuestSignalInfo info) => TakeMatching(Deliverable(SignalMask), out info);

    /// <summary>Dequeues the first pending signal in <paramref name="set"/> (rt_sigtimedwait), regardless of the mask.</summary>
    public bool TakeMatching(ulong set, out GuestSignalInfo info)
    {
        lock (_pending)
        {
            int n = _pending.Count;
            bool found = false;
            info = default;
            // Rotate through the whole queue so the others keep their order.
            for (int k = 0; k < n; k++)
            {
                var s = _pending.Dequeue();
                if (!found && (set & (1UL << (s.Signal - 1))) != 0)
                {
                    info = s;
                    found = true;
                    continue;
                }
                _pending.Enqueue(s);
            }
            if (found) return true;
        }
        return Process.Signals.TakeShared(set, out info);
    }

    /// <summary>Changes the mask; signals it unblocks are then delivered at the next block boundary.</summary>
    public void SetSignalMask(ulong mask)
    {
        SignalMask = mask & ~((1UL << (Signals.SIGKILL - 1)) | (1UL << (Signals.SIGSTOP - 1)));
        if (HasDeliverableSignal) SignalPending = true;
    }

    public Vcpu(GuestProcess process)
    {
        Process = process;
        Memory = process.Memory;
        State = (CpuState*)NativeMemory.AlignedAlloc((nuint)sizeof(CpuState), 64);
        State->Reset();
    }

    public ref ulong Gpr(int reg) => ref State->Gpr[reg];

    public void Dispose() => NativeMemory.AlignedFree(State);
}

/// <summary>What happens to a syscall interrupted by a signal, as the kernel's -ERESTART* codes say.</summary>
public enum SyscallRestart
{
    None = 0,
    /// <summary>ERESTARTSYS: restarted if no handler runs or the handler has SA_RESTART; otherwise EINTR.</summary>
    UnlessHandlerWithoutRestart = 512,
    /// <summary>ERESTARTNOINTR: always restarted.</summary>
    Always = 513,
    /// <summary>ERESTARTNOHAND: restarted only if no handler runs; otherwise EINTR.</summary>
    UnlessHandler = 514,
}
