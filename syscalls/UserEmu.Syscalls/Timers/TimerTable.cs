using UserEmu.Engine;

namespace UserEmu.Syscalls.Timers;

/// <summary>The process's timers: the ITIMER_REAL/alarm timer and the POSIX timers by id.</summary>
public sealed class TimerTable(GuestProcess process)
{
    readonly Lock _lock = new();
    readonly Dictionary<int, (GuestTimer Timer, int Clock)> _posix = new();
    GuestTimer? _real;

    /// <summary>alarm and setitimer(ITIMER_REAL): SIGALRM to the process, si_code SI_KERNEL.</summary>
    public GuestTimer Real
    {
        get
        {
            lock (_lock)
                return _real ??= new GuestTimer(process, 0, Signals.SIGALRM, null, 0, GuestTimer.SiKernel, silent: false);
        }
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
