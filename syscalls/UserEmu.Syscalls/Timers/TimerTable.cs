using UserEmu.Engine;

namespace UserEmu.Syscalls.Timers;

/// <summary>The process's timers: the three itimers (ITIMER_REAL is alarm's) and the POSIX timers by id.</summary>
public sealed class TimerTable(GuestProcess process)
{
    readonly Lock _lock = new();
    readonly Dictionary<int, (GuestTimer Timer, int Clock)> _posix = new();
    GuestTimer? _real, _virtual, _prof;

    /// <summary>alarm and setitimer(ITIMER_REAL): SIGALRM to the process, si_code SI_KERNEL.</summary>
    public GuestTimer Real => Itimer(ref _real, Signals.SIGALRM, null);

    /// <summary>setitimer(ITIMER_VIRTUAL): SIGVTALRM after the process's user CPU time.</summary>
    public GuestTimer Virtual => Itimer(ref _virtual, Signals.SIGVTALRM, ProcessCpuTime.UserTicks);

    /// <summary>setitimer(ITIMER_PROF): SIGPROF after the process's CPU time, user and system.</summary>
    public GuestTimer Prof => Itimer(ref _prof, Signals.SIGPROF, ProcessCpuTime.Ticks);

    // An itimer, made at its first use: its signal to the process, si_code SI_KERNEL.
    GuestTimer Itimer(ref GuestTimer? slot, int signal, Func<long>? clock)
    {
        lock (_lock) return slot ??= new GuestTimer(process, 0, signal, null, 0, GuestTimer.SiKernel, silent: false, clock);
    }

    /// <summary>Adds a POSIX timer with the lowest free id (the kernel hands them out from 0).</summary>
    public int Create(Func<int, GuestTimer> make, int clock = 1)
    {
        lock (_lock)
        {
            int id = 0;
            while (_posix.ContainsKey(id)) id++;
            _posix[id] = (make(id), clock);
            return id;
        }
    }

    /// <summary>The armed itimers for the emulator an execve starts (-guest-itimers), which keeps them as the kernel does: which, remaining and interval in ns; null when none is armed.</summary>
    public string? CarriedItimers()
    {
        GuestTimer?[] timers;
        lock (_lock) timers = [_real, _virtual, _prof];
        var armed = new List<(int, ulong, ulong)>();
        for (int which = 0; which < timers.Length; which++)
            if (timers[which]?.Get() is { Remaining: > 0 } t)
                armed.Add((which, (ulong)t.Remaining, (ulong)t.Interval));
        return CarriedTriples.Format(armed);
    }

    /// <summary>Arms the itimers of <paramref name="carried"/> (see <see cref="CarriedItimers"/>); false if it is malformed.</summary>
    public bool RestoreItimers(string carried)
    {
        if (CarriedTriples.Parse(carried) is not { } armed
            || armed.Any(t => t.Key is < 0 or > 2 || t.First is 0 or > long.MaxValue || t.Second > long.MaxValue)) return false;
        foreach (var (which, remaining, interval) in armed) (which switch { 0 => Real, 1 => Virtual, _ => Prof }).Set((long)remaining, (long)interval);
        return true;
    }

    /// <summary>In a forked child, which inherits none of its parent's timers (itimers and POSIX timers alike).</summary>
    public void AfterForkInChild()
    {
        lock (_lock)
        {
            foreach (var t in (ReadOnlySpan<GuestTimer?>)[_real, _virtual, _prof]) t?.ForgetAfterFork();
            foreach (var (timer, _) in _posix.Values) timer.ForgetAfterFork();
            _real = _virtual = _prof = null;
            _posix.Clear();
        }
    }

    public GuestTimer? Find(int id)
    {
        lock (_lock) return _posix.TryGetValue(id, out var t) ? t.Timer : null;
    }

    public int ClockOf(int id)
    {
        lock (_lock) return _posix.TryGetValue(id, out var t) ? t.Clock : 1;
    }

    public bool Delete(int id)
    {
        lock (_lock)
        {
            if (!_posix.Remove(id, out var t)) return false;
            t.Timer.Dispose();
            return true;
        }
    }
}
