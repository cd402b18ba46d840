using UserEmu.Bench.Host;

namespace UserEmu.Bench;

/// <summary>The timed runs of one runner on one workload, and how it went.</summary>
sealed class RunnerResult(Runner runner)
{
    public Runner Runner => runner;
    public List<ChildExit> Runs { get; } = new();
    /// <summary>Why it was not run on this workload (runner unavailable, workload skipped, no native reference).</summary>
    public string? NotRun { get; set; }
    /// <summary>The first failing run: non-zero exit, signal or timeout. Later iterations are not run.</summary>
    public ChildExit? Failure { get; set; }
    /// <summary>The first run that exited 0 but whose output hash differed from native.</summary>
    public ChildExit? Mismatch { get; set; }
    /// <summary>A line from stderr that says why it failed or mismatched.</summary>
    public string? Detail { get; set; }
    /// <summary>Engine counters from useremu's stderr (-d stats) of the last run.</summary>
    public List<string> Stats { get; } = new();

    public bool Ok => NotRun == null && Failure == null && Mismatch == null && Runs.Count > 0;

    public double? MedianSeconds => Ok ? Median(Runs.Select(r => r.Wall.TotalSeconds)) : null;

    /// <summary>The highest ru_maxrss over the runs, in MiB; null when no run reported one (killed on timeout).</summary>
    public double? PeakRssMb => Runs.Count > 0 && Runs.Max(r => r.MaxRssKb) is > 0 and var kb ? kb / 1024.0 : null;

    static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}

/// <summary>One table row: a workload, its command and each runner's result.</summary>
sealed class WorkloadResult(Workload workload, PreparedWorkload prepared, IEnumerable<Runner> runners)
{
    public Workload Workload => workload;
    public PreparedWorkload Prepared => prepared;
    public Dictionary<string, RunnerResult> ByRunner { get; } = runners.ToDictionary(r => r.Name, r => new RunnerResult(r));

    public RunnerResult Native => ByRunner[Runner.Native];
}
