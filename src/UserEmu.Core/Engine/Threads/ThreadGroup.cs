namespace UserEmu.Engine.Threads;

/// <summary>The guest threads of the process: who is alive, and the exit status when the last one leaves.</summary>
public sealed class ThreadGroup
{
    // A plain object: WaitForAll needs Monitor.Wait, which System.Threading.Lock does not support.
    readonly object _lock = new();
    readonly List<Vcpu> _threads = new();
    int _lastStatus;

    public int Count { get { lock (_lock) return _threads.Count; } }

    public Vcpu[] Snapshot() { lock (_lock) return _threads.ToArray(); }

    public void Add(Vcpu cpu) { lock (_lock) _threads.Add(cpu); }

    public Vcpu? Find(int tid) { lock (_lock) return _threads.Find(t => t.Tid == tid); }

    /// <summary>After a host fork: the calling thread is the only one that exists in the child.</summary>
    public void RetainOnly(Vcpu cpu)
    {
        lock (_lock)
        {
            _threads.Clear();
            _threads.Add(cpu);
        }
    }

    /// <summary>Removes a thread that called exit; returns how many remain.</summary>
    public int Remove(Vcpu cpu, int status)
    {
        lock (_lock)
        {
            _threads.Remove(cpu);
            _lastStatus = status;
            if (_threads.Count == 0) Monitor.PulseAll(_lock);
            return _threads.Count;
        }
    }

    /// <summary>Blocks until every thread has exited; returns the status of the last one (the process's exit status).</summary>
    public int WaitForAll()
    {
        lock (_lock)
        {
            while (_threads.Count > 0) Monitor.Wait(_lock);
            return _lastStatus;
        }
    }
}
