using System.Diagnostics;
using UserEmu.Engine;

namespace UserEmu.Syscalls.Timers;

/// <summary>One armed-or-idle timer of the guest (an itimer or a POSIX timer): sends its signal when it expires, then re-arms by its interval.</summary>
/// <remarks>
/// Runs on a .NET timer (the emulator's own clock, not a host timer signal), so it never touches the host's signal
/// state. Times are Stopwatch ticks (CLOCK_MONOTONIC), or for a CPU-time timer (ITIMER_VIRTUAL, ITIMER_PROF) the
/// process's CPU time in the same units, which the .NET timer looks at every <see cref="CpuPollMs"/> ms while armed
/// (CPU time may run faster than the wall clock with several threads, or not at all); an expiry whose signal is still
/// pending counts as an overrun.
/// </remarks>
public sealed class GuestTimer : IDisposable
{
    readonly GuestProcess _process;
    readonly Lock _lock = new();
    readonly Timer _timer;
    long _due;       // Stopwatch ticks of the next expiry; 0 = disarmed
    long _interval;  // ticks; 0 = one-shot
    int _overrun, _lastOverrun;

    public int Id { get; }
    public int Signal { get; }
    /// <summary>SIGEV_THREAD_ID target, or null for the whole process.</summary>
    public Vcpu? Thread { get; }
    public ulong Value { get; }
    /// <summary>si_code: SI_TIMER for POSIX timers, SI_KERNEL for alarm/setitimer.</summary>
    public int Code { get; }
    /// <summary>SIGEV_NONE: expires without a signal (timer_gettime still counts down).</summary>
    public bool Silent { get; }

    // The timer's clock in Stopwatch ticks: null for CLOCK_MONOTONIC.
    readonly Func<long>? _clock;

    /// <summary>How often a CPU-time timer looks at the clock: the kernel's tick at 250 Hz.</summary>
    public const int CpuPollMs = 4;

    public GuestTimer(GuestProcess process, int id, int signal, Vcpu? thread, ulong value, int code, bool silent, Func<long>? cpuClock = null)
    {
        _clock = cpuClock;
        _process = process;
        Id = id;
        Signal = signal;
        Thread = thread;
        Value = value;
        Code = code;
        Silent = silent;
        _timer = new Timer(_ => Fire());
    }

    long Now() => _clock?.Invoke() ?? Stopwatch.GetTimestamp();

    public static long NsToTicks(long ns) => (long)(ns * (Stopwatch.Frequency / 1e9));
    public static long TicksToNs(long ticks) => (long)(ticks * (1e9 / Stopwatch.Frequency));

    /// <summary>Arms (value &gt; 0) or disarms (value 0); returns the previous remaining time and interval in ns.</summary>
    public (long Remaining, long Interval) Set(long valueNs, long intervalNs)
    {
        lock (_lock)
        {
            var old = GetLocked();
            _interval = NsToTicks(intervalNs);
            _overrun = 0;
            if (valueNs <= 0)
            {
                _due = 0;
                _timer.Change(Timeout.Infinite, Timeout.Infinite);
            }
            else
            {
                _due = Now() + Math.Max(1, NsToTicks(valueNs));
                Schedule();
            }
            return old;
        }
    }

    /// <summary>Remaining time to the next expiry (0 if disarmed) and the interval, in ns.</summary>
    public (long Remaining, long Interval) Get()
    {
        lock (_lock) return GetLocked();
    }

    /// <summary>The overrun count of the last delivered expiry (timer_getoverrun).</summary>
    public int Overrun { get { lock (_lock) return _lastOverrun; } }

    (long, long) GetLocked()
    {
        long left = _due == 0 ? 0 : Math.Max(1, _due - Now());
        return (TicksToNs(left), TicksToNs(_interval));
    }

    void Schedule()
    {
        long left = _due - Now();
        long ms = Math.Max(0, (left * 1000 + Stopwatch.Frequency - 1) / Stopwatch.Frequency);
        if (_clock != null) ms = Math.Min(ms, CpuPollMs);
        _timer.Change(Math.Min(ms, uint.MaxValue - 2), Timeout.Infinite);
    }

    void Fire()
    {
        lock (_lock)
        {
            if (_due == 0) return;
            long now = Now();
            if (now < _due)
            {
                Schedule(); // a .NET timer may fire a little early
                return;
            }
            if (_interval > 0)
            {
                // Missed periods count as overruns, as the kernel's hrtimer_forward.
                long missed = (now - _due) / _interval;
                _overrun += (int)Math.Min(missed, int.MaxValue - _overrun);
                _due += (missed + 1) * _interval;
                Schedule();
            }
            else
            {
                _due = 0;
            }
            if (Silent) return;
            _lastOverrun = _overrun;
            _overrun = 0;
        }
        var info = new GuestSignalInfo(Signal, Code, 0, Code == SiTimer ? Id : 0, Code == SiTimer ? _lastOverrun : 0, Value);
        if (Thread != null) Thread.Enqueue(info);
        else _process.Signals.QueueToProcess(info);
    }

    public const int SiTimer = -2, SiKernel = 0x80;

    /// <summary>In a forked child: the timer never fires there. Not under its lock, which the parent's timer thread (gone in the child) may have held.</summary>
    internal void ForgetAfterFork() => Volatile.Write(ref _due, 0);

    public void Dispose()
    {
        lock (_lock) _due = 0;
        _timer.Dispose();
    }
}
