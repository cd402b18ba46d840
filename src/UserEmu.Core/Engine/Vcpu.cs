using System.Runtime.InteropServices;
using UserEmu.Cpu.X86;
using UserEmu.Memory;

namespace UserEmu.Engine;

/// <summary>One guest thread: its architectural state and the process it belongs to.</summary>
public sealed unsafe class Vcpu : IDisposable
{
    public readonly CpuState* State;
    public readonly GuestProcess Process;
    public readonly GuestAddressSpace Memory;
    /// <summary>Guest thread id (the host tid of the thread running it).</summary>
    public int Tid;
    /// <summary>set_tid_address / CLONE_CHILD_CLEARTID location.</summary>
    public ulong ClearChildTid;
    public ulong RobustList;
    public ulong RobustListLength;
    /// <summary>Blocked signals (bit n-1 for signal n), per thread as rt_sigprocmask sees it.</summary>
    public ulong SignalMask;
    /// <summary>sigaltstack: base, size, flags.</summary>
    public ulong AltStackBase, AltStackSize;
    public int AltStackFlags;

    readonly Queue<GuestSignalInfo> _pending = new();

    /// <summary>What this vCPU sleeps on inside an emulated blocking call (a futex waiter), so a signal can wake it.</summary>
    public volatile object? BlockedOn;

    /// <summary>Queues an asynchronous signal for this thread (any thread may call).</summary>
    public void Enqueue(GuestSignalInfo info)
    {
        lock (_pending) _pending.Enqueue(info);
        Process.Signals.HasPending = true;
        Threads.FutexTable.Interrupt(this);
    }

    /// <summary>True if a queued signal is not blocked (an emulated blocking call must then return EINTR).</summary>
    public bool HasDeliverableSignal
    {
        get
        {
            lock (_pending)
                foreach (var s in _pending)
                    if ((SignalMask & (1UL << (s.Signal - 1))) == 0) return true;
            return false;
        }
    }

    /// <summary>Dequeues the first pending signal that is not blocked.</summary>
    public bool TakePending(out GuestSignalInfo info)
    {
        lock (_pending)
        {
            int n = _pending.Count;
            for (int k = 0; k < n; k++)
            {
                var s = _pending.Dequeue();
                if ((SignalMask & (1UL << (s.Signal - 1))) == 0 || s.Signal is Signals.SIGKILL or Signals.SIGSTOP)
                {
                    info = s;
                    return true;
                }
                _pending.Enqueue(s);
            }
        }
        info = default;
        return false;
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
