using System.Diagnostics;

namespace UserEmu.Engine;

/// <summary>Stops every other guest thread at a block boundary while one thread does something alone (a host fork), as QEMU's start_exclusive.</summary>
/// <remarks>
/// A host fork copies only the calling thread: a thread that holds a runtime lock or is allocating at that moment
/// leaves the child hung (shared/NOTES.md). Threads running guest code park at their next block boundary. A thread
/// blocked in a host call (read, wait4, a futex wait) cannot park, but it holds no runtime lock there either; so the
/// requester waits for the running threads for a bounded time and then goes ahead.
/// </remarks>
public sealed class ExclusiveSection
{
    /// <summary>How long to wait for threads that may be blocked in host calls rather than running guest code.</summary>
    const int MaxWaitMs = 200;

    readonly object _lock = new();
    volatile bool _requested;
    int _parked;

    /// <summary>Tested by each vCPU after every block: one volatile read.</summary>
    public bool Requested => _requested;

    /// <summary>Called by a vCPU that sees <see cref="Requested"/>: waits until the exclusive section ends.</summary>
    public void Park()
    {
        lock (_lock)
        {
            _parked++;
            Monitor.PulseAll(_lock);
            while (_requested) Monitor.Wait(_lock);
            _parked--;
        }
    }

    /// <summary>Starts the section: returns once the <paramref name="others"/> threads have parked (or the wait has timed out).</summary>
    public void Begin(int others)
    {
        lock (_lock)
        {
            // One section at a time: a second forker parks like any other thread and forks afterwards.
            while (_requested)
            {
                _parked++;
                Monitor.PulseAll(_lock);
                Monitor.Wait(_lock);
                _parked--;
            }
            _requested = true;
            // Compiled code polls only the vCPUs' interrupt words (at back edges and chained exits), not Requested.
            Interrupting?.Invoke();
            if (others <= 0) return;
            long deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * MaxWaitMs / 1000;
            while (_parked < others)
            {
                long left = deadline - Stopwatch.GetTimestamp();
                if (left <= 0) break;
                Monitor.Wait(_lock, (int)Math.Max(1, left * 1000 / Stopwatch.Frequency));
            }
        }
    }

    /// <summary>Ends the section and lets parked threads run again.</summary>
    public void End()
    {
        lock (_lock)
        {
            _requested = false;
            Monitor.PulseAll(_lock);
        }
        Ended?.Invoke();
    }

    /// <summary>Run after each section (the process's signals clear the compiled-code poll flag if nothing else needs it).</summary>
    public Action? Ended { get; set; }

    /// <summary>Run as a section starts, before waiting: makes every thread's compiled code come back to its dispatcher.</summary>
    public Action? Interrupting { get; set; }

    /// <summary>In a forked child: no thread is parked (they do not exist there) and nothing is requested.</summary>
    public void ResetAfterFork()
    {
        _parked = 0;
        _requested = false;
    }
}
