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

/// <summary>Process-wide signal dispositions and the delivery of signals to guest threads.</summary>
public sealed class GuestSignals
{
    public const int MaxSignal = 64;
    /// <summary>Disposition per signal number (index 0 unused).</summary>
    public readonly GuestSigAction[] Actions = new GuestSigAction[MaxSignal + 1];
    /// <summary>Set from any thread when a signal is queued; checked by the dispatch loop between blocks.</summary>
    public bool HasPending
    {
        get => _hasPending;
        set
        {
            _hasPending = value;
            if (value) InterruptRequested = true;
        }
    }
    volatile bool _hasPending;

    /// <summary>Polled by compiled loops on back edges so that a long-running loop returns to the dispatcher (one guest process per host process).</summary>
    public static volatile bool InterruptRequested;

    /// <summary>What the kernel does when no handler is installed.</summary>
    public static DefaultAction DefaultFor(int sig) => sig switch
    {
        Signals.SIGCHLD or Signals.SIGURG or Signals.SIGWINCH or Signals.SIGCONT => DefaultAction.Ignore,
        Signals.SIGSTOP or Signals.SIGTSTP or Signals.SIGTTIN or Signals.SIGTTOU => DefaultAction.Stop,
        >= 32 => DefaultAction.Terminate,
        _ => DefaultAction.Terminate,
    };

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
        Delivery.EnterHandler(cpu, info, ref act);
    }

    /// <summary>Runs pending asynchronous signals for this vCPU (between blocks).</summary>
    public void DeliverPending(Vcpu cpu)
    {
        HasPending = false;
        InterruptRequested = false;
        while (cpu.TakePending(out var info))
        {
            ref var act = ref Actions[info.Signal];
            if (act.Handler == GuestSigAction.SIG_IGN) continue;
            Observer?.Invoke(cpu, info);
            if (act.Handler == GuestSigAction.SIG_DFL)
            {
                var d = DefaultFor(info.Signal);
                if (d == DefaultAction.Terminate) throw new GuestTerminatedBySignalException(info.Signal);
                continue;
            }
            Delivery.EnterHandler(cpu, info, ref act);
        }
    }

    /// <summary>Builds the guest signal frame; set by the ISA's signal-frame code.</summary>
    public ISignalDelivery Delivery { get; set; } = new NoSignalFrames();

    sealed class NoSignalFrames : ISignalDelivery
    {
        public void EnterHandler(Vcpu cpu, GuestSignalInfo info, ref GuestSigAction action)
        {
            Console.Error.WriteLine($"useremu: guest signal handlers are not available for this guest ISA; signal {info.Signal} terminates the program");
            throw new GuestTerminatedBySignalException(info.Signal);
        }
    }
}

/// <summary>The kernel's default action for a signal.</summary>
public enum DefaultAction { Terminate, Ignore, Stop }

/// <summary>Per-ISA construction of the signal frame and entry to a guest handler.</summary>
public interface ISignalDelivery
{
    void EnterHandler(Vcpu cpu, GuestSignalInfo info, ref GuestSigAction action);
}
