using UserEmu.Engine;
using UserEmu.Host;
using UserEmu.Syscalls.Paths;

namespace UserEmu.Syscalls;

/// <summary>What the syscall layer keeps about one guest process beyond <see cref="GuestProcess"/>.</summary>
public sealed class KernelState
{
    public GuestProcess Process { get; }
    /// <summary>Guest path → host path (the -L sysroot).</summary>
    public GuestPaths Paths { get; }
    public UnsupportedWarnings Warnings { get; }
    /// <summary>Resource limits the guest sets without them applying to the emulator itself.</summary>
    public EmulatedLimits Limits { get; } = new();
    /// <summary>alarm/setitimer and POSIX timers.</summary>
    public Timers.TimerTable Timers { get; }
    /// <summary>The host (= guest) process id; asked each time, since a forked child has a new one.</summary>
    public int Pid => (int)Host.Sys.Call(Host.HostNr.Getpid);

    public KernelState(GuestProcess process)
    {
        Process = process;
        Paths = new GuestPaths(process.Options.SysRoot);
        Warnings = new UnsupportedWarnings(process.Options);
        Timers = new Timers.TimerTable(process);
    }
}

/// <summary>RLIMIT_AS, RLIMIT_DATA and RLIMIT_STACK as the guest sees them.</summary>
/// <remarks>
/// These limits would apply to the whole emulator (the .NET runtime's heap, JIT and thread stacks live in the same
/// host process), so, as QEMU does, they are not given to the host. Unlike QEMU they are remembered, so getrlimit
/// returns what setrlimit stored, also after an execve (<see cref="Carried"/>, <see cref="Restore"/>), as the kernel
/// keeps limits across one; the guest address space does not enforce them.
/// </remarks>
public sealed class EmulatedLimits
{
    public const int RLIMIT_STACK = 3, RLIMIT_DATA = 2, RLIMIT_AS = 9;
    readonly Lock _lock = new();
    readonly Dictionary<int, (ulong Cur, ulong Max)> _set = new();

    public static bool IsEmulated(int resource) => resource is RLIMIT_AS or RLIMIT_DATA or RLIMIT_STACK;

    /// <summary>The guest's value, if it has set one; otherwise the caller reports the host's.</summary>
    public bool TryGet(int resource, out ulong cur, out ulong max)
    {
        lock (_lock)
        {
            if (_set.TryGetValue(resource, out var v))
            {
                (cur, max) = v;
                return true;
            }
        }
        cur = max = 0;
        return false;
    }

    public void Set(int resource, ulong cur, ulong max)
    {
        lock (_lock) _set[resource] = (cur, max);
    }

    /// <summary>The limits the guest set, for the emulator an execve starts (-guest-rlimits): "resource:cur:max,..." in hex; null when none.</summary>
    public string? Carried()
    {
        lock (_lock) return CarriedTriples.Format(_set.OrderBy(e => e.Key).Select(e => (e.Key, e.Value.Cur, e.Value.Max)).ToList());
    }

    /// <summary>Takes the limits of <paramref name="carried"/> (see <see cref="Carried"/>); false if it is malformed.</summary>
    public bool Restore(string carried)
    {
        if (CarriedTriples.Parse(carried) is not { } limits || limits.Any(l => !IsEmulated(l.Key))) return false;
        foreach (var (resource, cur, max) in limits) Set(resource, cur, max);
        return true;
    }
}

/// <summary>Prints each "unsupported" warning once per run, on stderr, unless the user asked for quiet.</summary>
public sealed class UnsupportedWarnings
{
    readonly EmulatorOptions _options;
    readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    readonly Lock _lock = new();

    public UnsupportedWarnings(EmulatorOptions options) => _options = options;

    /// <summary>Prints <paramref name="message"/> the first time <paramref name="key"/> is seen; returns whether it printed.</summary>
    public bool Once(string key, string message)
    {
        if (_options.QuietUnimplemented) return false;
        lock (_lock)
            if (!_seen.Add(key)) return false;
        HostStderr.Messages.WriteLine(message);
        return true;
    }
}
