namespace UserEmu.Engine;

/// <summary>A guest's struct k_sigaction (x86-64 layout: handler, flags, restorer, mask).</summary>
public struct GuestSigAction
{
    public ulong Handler;
    public ulong Flags;
    public ulong Restorer;
    public ulong Mask;

    public const ulong SIG_DFL = 0, SIG_IGN = 1;
    public const ulong SA_NOCLDSTOP = 1, SA_NOCLDWAIT = 2, SA_SIGINFO = 4, SA_ONSTACK = 0x08000000, SA_RESTART = 0x10000000,
        SA_NODEFER = 0x40000000, SA_RESETHAND = 0x80000000, SA_RESTORER = 0x04000000;
}

/// <summary>Process-wide signal dispositions, the process-directed pending queue, and delivery to guest threads.</summary>
public sealed class GuestSignals(GuestProcess process)
{
    public const int MaxSignal = 64;
    /// <summary>Disposition per signal number (index 0 unused).</summary>
    public readonly GuestSigAction[] Actions = new GuestSigAction[MaxSignal + 1];

    readonly GuestProcess _process = process;
    // Process-directed signals (kill, timers, host signals) that no thread has taken yet.
    readonly List<GuestSignalInfo> _shared = new();

    /// <summary>What the kernel does when no handler is installed.</summary>
    public static DefaultAction DefaultFor(int sig) => sig switch
    {
        Signals.SIGCHLD or Signals.SIGURG or Signals.SIGWINCH or Signals.SIGCONT => DefaultAction.Ignore,
        Signals.SIGSTOP or Signals.SIGTSTP or Signals.SIGTTIN or Signals.SIGTTOU => DefaultAction.Stop,
        _ => DefaultAction.Terminate,
    };

    /// <summary>True if <paramref name="sig"/> would be discarded on arrival (ignored explicitly or by default).</summary>
    public bool IsIgnored(int sig)
    {
        ulong h = Actions[sig].Handler;
        return h == GuestSigAction.SIG_IGN || (h == GuestSigAction.SIG_DFL && DefaultFor(sig) == DefaultAction.Ignore);
    }

    /// <summary>Queues a process-directed signal and wakes a thread that does not block it, the preferred one first (as the kernel's complete_signal).</summary>
    public void QueueToProcess(GuestSignalInfo info, Vcpu? preferred = null)
    {
        int sig = info.Signal;
        // An ignored signal is dropped when sent, unless some thread blocks it (it may be unignored before being unblocked).
        if (IsIgnored(sig) && !AllBlock(sig)) return;
        lock (_shared)
        {
            bool dup = false;
            if (sig < 32)
                foreach (var s in _shared)
                    if (s.Signal == sig) dup = true;
            if (!dup) _shared.Add(info);
        }
        ulong bit = 1UL << (sig - 1);
        Vcpu? target = preferred != null && (preferred.SignalMask & bit) == 0 ? preferred : null;
        if (target == null)
            foreach (var t in _process.Threads.Snapshot())
                if ((t.SignalMask & bit) == 0)
                {
                    target = t;
                    break;
                }
        // Every thread blocks it: it stays queued until one unblocks it (SetSignalMask notices) or takes it with sigwait.
        target?.Notify();
        if (target == null)
            foreach (var t in _process.Threads.Snapshot()) t.Notify(); // sigtimedwait sleepers look at blocked signals
    }

    bool AllBlock(int sig)
    {
        ulong bit = 1UL << (sig - 1);
        foreach (var t in _process.Threads.Snapshot())
            if ((t.SignalMask & bit) == 0) return false;
        return true;
    }

    /// <summary>Signals in the process-wide queue.</summary>
    public ulong SharedPendingSet()
    {
        ulong set = 0;
        lock (_shared)
            foreach (var s in _shared)
                set |= 1UL << (s.Signal - 1);
        return set;
    }

    /// <summary>Takes the first process-directed signal in <paramref name="set"/>.</summary>
    public bool TakeShared(ulong set, out GuestSignalInfo info)
    {
        lock (_shared)
            for (int k = 0; k < _shared.Count; k++)
                if ((set & (1UL << (_shared[k].Signal - 1))) != 0)
                {
                    info = _shared[k];
                    _shared.RemoveAt(k);
                    return true;
                }
        info = default;
        return false;
    }

    /// <summary>Sees each signal as it is delivered to a guest thread (strace's "--- SIGSEGV {...} ---"); null when not tracing.</summary>
    public Action<Vcpu, GuestSignalInfo>? Observer { get; set; }

    /// <summary>Delivers a signal raised by the instruction at the vCPU's RIP (fault, trap, illegal opcode).</summary>
    public void DeliverSynchronous(Vcpu cpu, GuestSignalInfo info)
    {
        Observer?.Invoke(cpu, info);
        ref var act = ref Actions[info.Signal];
        bool blocked = (cpu.SignalMask & (1UL << (info.Signal - 1))) != 0;
        // As in the kernel (force_sig_info), a blocked or ignored synchronous signal kills the thread group.
        if (act.Handler == GuestSigAction.SIG_DFL || act.Handler == GuestSigAction.SIG_IGN || blocked)
            throw new GuestTerminatedBySignalException(info.Signal);
        EnterHandler(cpu, info, ref act);
    }

    /// <summary>Runs pending signals for this vCPU (between blocks, and right after a syscall).</summary>
    public void DeliverPending(Vcpu cpu)
    {
        cpu.SignalPending = false;
        ClearInterruptIfIdle();
        while (cpu.TakePending(out var info))
        {
            ref var act = ref Actions[info.Signal];
            if (act.Handler == GuestSigAction.SIG_IGN) continue;
            Observer?.Invoke(cpu, info);
            if (act.Handler == GuestSigAction.SIG_DFL)
            {
                switch (DefaultFor(info.Signal))
                {
                    case DefaultAction.Terminate:
                        throw new GuestTerminatedBySignalException(info.Signal);
                    case DefaultAction.Stop:
                        // The kernel stops the whole process: so is the emulator stopped, and continues on SIGCONT.
                        Host.LibC.kill(Host.LibC.getpid(), Signals.SIGSTOP);
                        break;
                }
                continue;
            }
            if (cpu.PendingRestart != SyscallRestart.None)
            {
                bool restart = cpu.PendingRestart == SyscallRestart.Always ||
                    (cpu.PendingRestart == SyscallRestart.UnlessHandlerWithoutRestart && (act.Flags & GuestSigAction.SA_RESTART) != 0);
                if (restart) Delivery.RestartSyscall(cpu);
                cpu.PendingRestart = SyscallRestart.None;
            }
            EnterHandler(cpu, info, ref act);
            // One handler frame per boundary, as the kernel sets up one per return to user mode; others follow at the next boundary.
            if (cpu.HasDeliverableSignal) cpu.SignalPending = true;
            return;
        }
        // No handler ran: an interrupted syscall is restarted transparently, and sigsuspend's mask comes back.
        if (cpu.PendingRestart != SyscallRestart.None)
        {
            Delivery.RestartSyscall(cpu);
            cpu.PendingRestart = SyscallRestart.None;
        }
        if (cpu.HasSavedMask)
        {
            cpu.HasSavedMask = false;
            cpu.SetSignalMask(cpu.SavedMask);
        }
    }

    void EnterHandler(Vcpu cpu, GuestSignalInfo info, ref GuestSigAction act)
    {
        lock (Actions) Delivery.EnterHandler(cpu, info, ref act);
        cpu.HasSavedMask = false;
    }

    // Leave the interrupt words set where a thread still has something to look at (clear first, then re-check: no lost
    // wake).
    internal void ClearInterruptIfIdle()
    {
        foreach (var t in _process.Threads.Snapshot()) ClearInterrupt(t);
        Interlocked.MemoryBarrier();
        if (_process.Exclusive.Requested)
        {
            InterruptAll();
            return;
        }
        foreach (var t in _process.Threads.Snapshot())
            if (t.SignalPending) Interrupt(t);
    }

    /// <summary>Makes <paramref name="cpu"/>'s compiled code (native blocks, IL regions) leave for the dispatcher at its next jump back or chained exit.</summary>
    public static unsafe void Interrupt(Vcpu cpu) => Volatile.Write(ref cpu.State->Interrupt, 1);

    /// <summary>Interrupts every thread's compiled code (a fork or flush that needs them all parked).</summary>
    public void InterruptAll()
    {
        foreach (var t in _process.Threads.Snapshot()) Interrupt(t);
    }

    static unsafe void ClearInterrupt(Vcpu cpu) => Volatile.Write(ref cpu.State->Interrupt, 0);

    /// <summary>
    /// At a block boundary with <paramref name="cpu"/>'s interrupt word set: clears it unless a signal or an
    /// exclusive section still waits (a word copied into a new thread's state, or set for a section that has ended,
    /// would otherwise send its loops back at every pass).
    /// </summary>
    public void ClearStaleInterrupt(Vcpu cpu)
    {
        ClearInterrupt(cpu);
        Interlocked.MemoryBarrier();
        if (cpu.SignalPending || _process.Exclusive.Requested) Interrupt(cpu);
    }

    /// <summary>Builds the guest signal frame; set by the ISA's signal-frame code.</summary>
    public ISignalDelivery Delivery { get; set; } = new NoSignalFrames();

    sealed class NoSignalFrames : ISignalDelivery
    {
        public void EnterHandler(Vcpu cpu, GuestSignalInfo info, ref GuestSigAction action)
        {
            UserEmu.Host.HostStderr.Messages.WriteLine($"useremu: guest signal handlers are not available for this guest ISA; signal {info.Signal} terminates the program");
            throw new GuestTerminatedBySignalException(info.Signal);
        }

        public void RestartSyscall(Vcpu cpu) { }
    }
}

/// <summary>The kernel's default action for a signal.</summary>
public enum DefaultAction { Terminate, Ignore, Stop }

/// <summary>Per-ISA construction of the signal frame and entry to a guest handler.</summary>
public interface ISignalDelivery
{
    void EnterHandler(Vcpu cpu, GuestSignalInfo info, ref GuestSigAction action);

    /// <summary>Backs the PC up to the syscall instruction and puts the syscall number back (the kernel's restart of an interrupted call).</summary>
    void RestartSyscall(Vcpu cpu);
}
