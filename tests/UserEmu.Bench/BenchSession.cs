using System.Globalization;
using System.Security.Cryptography;
using UserEmu.Bench.Host;

namespace UserEmu.Bench;

/// <summary>Runs each workload under every runner, interleaved (native, qemu, useremu, native, ...), and collects results.</summary>
/// <remarks>
/// Interleaving spreads slow drifts of the machine (frequency, other load, page cache) over all runners instead
/// of charging them to whichever runner happened to go last. A runner that fails once on a workload is not run
/// again on it: the first failure is what the table reports, and retrying a crash only costs time.
/// </remarks>
sealed class BenchSession(BenchPaths paths, BenchOptions options, IReadOnlyList<Runner> runners, MeasureWrapper measure)
{
    /// <summary>Emulators get this many times the native time before a run is killed, and at least a minute.</summary>
    const double TimeoutFactor = 100;

    public WorkloadResult Run(Workload workload, WorkloadContext ctx)
    {
        Console.Write($"{workload.Name}: preparing...");
        PreparedWorkload prepared;
        try { prepared = workload.Prepare(ctx); }
        catch (IOException e) { prepared = PreparedWorkload.Failed(e.Message); }
        var result = new WorkloadResult(workload, prepared, runners);
        foreach (var r in runners)
            result.ByRunner[r.Name].NotRun = r.Skipped ?? prepared.Skipped ?? prepared.BuildError;
        if (prepared.Skipped != null || prepared.BuildError != null)
        {
            Console.WriteLine($" {(prepared.Skipped != null ? "skipped: " + prepared.Skipped : "FAIL: " + prepared.BuildError)}");
            return result;
        }
        Console.WriteLine($" {Display(prepared.Argv)}");

        string? expected = null;
        double nativeSeconds = double.MaxValue;
        if (!options.Smoke)
        {
            // One untimed native run warms the page cache and gives the reference output and a time for the limit.
            var (warm, hash) = RunOnce(workload, prepared, runners[0], options.Timeout ?? TimeSpan.FromMinutes(10));
            if (!warm.Succeeded) return NativeFailed(result, warm, workload);
            expected = hash;
            nativeSeconds = warm.Wall.TotalSeconds;
            // And one of each emulator that keeps a code cache, so that every timed run finds it as a user's second run does.
            foreach (var runner in runners.Where(r => r.CodeCache != null && r.Skipped == null))
                RunOnce(workload, prepared, runner, TimeSpan.FromSeconds(Math.Max(60, TimeoutFactor * nativeSeconds)));
        }

        for (int i = 0; i < options.Iterations; i++)
        {
            var line = new List<string>();
            foreach (var runner in runners)
            {
                var rr = result.ByRunner[runner.Name];
                if (rr.NotRun != null || rr.Failure != null || rr.Mismatch != null) continue;
                var limit = options.Timeout ?? (runner.IsNative
                    ? TimeSpan.FromMinutes(10)
                    : TimeSpan.FromSeconds(Math.Max(60, TimeoutFactor * nativeSeconds)));
                var (exit, hash) = RunOnce(workload, prepared, runner, limit);
                rr.Runs.Add(exit);
                if (runner.Name == Runner.UserEmu && options.Stats)
                {
                    // Kept from failing runs too: the counters of a run that died are a clue to where.
                    rr.Stats.Clear();
                    rr.Stats.AddRange(StderrLines(workload, runner).Where(l => l.StartsWith("useremu stats", StringComparison.Ordinal)));
                }
                if (!exit.Succeeded)
                {
                    rr.Failure = exit;
                    rr.Detail = StderrLine(workload, runner);
                    line.Add($"{runner.Name} FAIL ({exit.Status})");
                    if (runner.IsNative) return NativeFailed(result, exit, workload);
                    continue;
                }
                if (runner.IsNative)
                {
                    expected ??= hash;
                    nativeSeconds = Math.Min(nativeSeconds, exit.Wall.TotalSeconds);
                }
                if (hash != expected)
                {
                    rr.Mismatch = exit;
                    rr.Detail = $"output sha256 {hash[..12]} differs from native {expected![..12]}";
                    line.Add($"{runner.Name} MISMATCH");
                    continue;
                }
                line.Add(string.Create(CultureInfo.InvariantCulture, $"{runner.Name} {exit.Wall.TotalSeconds:F3} s"));
            }
            Console.WriteLine($"  #{i + 1}: {string.Join(", ", line)}");
        }
        foreach (var rr in result.ByRunner.Values)
        {
            if (rr.Detail != null) Console.WriteLine($"  {rr.Runner.Name} stderr: {rr.Detail}");
            foreach (var s in rr.Stats) Console.WriteLine($"  {s}");
        }
        return result;
    }

    WorkloadResult NativeFailed(WorkloadResult result, ChildExit exit, Workload workload)
    {
        var native = result.Native;
        native.Failure = exit;
        native.Detail = StderrLine(workload, native.Runner);
        foreach (var rr in result.ByRunner.Values)
            if (!rr.Runner.IsNative) rr.NotRun ??= "native run failed, no reference";
        Console.WriteLine($"  native FAIL ({exit.Status}): {native.Detail}");
        return result;
    }

    /// <summary>One run with stdout and stderr on files; returns its exit and the sha256 of stdout plus the output file.</summary>
    (ChildExit Exit, string Hash) RunOnce(Workload workload, PreparedWorkload prepared, Runner runner, TimeSpan limit)
    {
        if (prepared.OutputFile != null) File.Delete(prepared.OutputFile);
        string stdout = RunFile(workload, runner, "stdout");
        var exit = measure.Run(runner.Command(prepared.Argv), stdout, RunFile(workload, runner, "stderr"), limit, runner.Environment);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(File.ReadAllBytes(stdout));
        if (prepared.OutputFile != null)
            hash.AppendData(File.Exists(prepared.OutputFile) ? File.ReadAllBytes(prepared.OutputFile) : "(no output file)"u8.ToArray());
        return (exit, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    string RunFile(Workload workload, Runner runner, string stream) => Path.Combine(paths.Runs, $"{workload.Name}.{runner.Name}.{stream}");

    IEnumerable<string> StderrLines(Workload workload, Runner runner)
    {
        string path = RunFile(workload, runner, "stderr");
        if (!File.Exists(path)) return [];
        // Only the tail: a failing guest under -d may have written megabytes.
        using var f = File.OpenRead(path);
        f.Seek(Math.Max(0, f.Length - 65536), SeekOrigin.Begin);
        return new StreamReader(f).ReadToEnd().Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
    }

    /// <summary>The emulator's own complaint if it made one, else the first error line, else the last line of stderr.</summary>
    string? StderrLine(Workload workload, Runner runner)
    {
        var lines = StderrLines(workload, runner).ToList();
        string? line = lines.FirstOrDefault(l => l.StartsWith("useremu:", StringComparison.Ordinal))
                       ?? lines.FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? lines.LastOrDefault();
        return line == null ? null : EmulatorBuild.Truncate(line, 200);
    }

    /// <summary>The command with repository paths made relative, for the console and the docs.</summary>
    public string Display(IEnumerable<string> argv) =>
        string.Join(' ', argv.Select(a => a.StartsWith(paths.Repo + "/", StringComparison.Ordinal) ? a[(paths.Repo.Length + 1)..] : a));
}
