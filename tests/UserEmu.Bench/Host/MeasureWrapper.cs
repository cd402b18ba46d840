using System.Globalization;

namespace UserEmu.Bench.Host;

/// <summary>Runs a workload through the small static wrapper of Host/measure.c, which reports exact ru_maxrss and wall time.</summary>
sealed class MeasureWrapper(string exe, string resultFile)
{
    /// <summary>Compiles the wrapper into .bench/build (gcc is required: most workloads need it anyway).</summary>
    public static MeasureWrapper Build(BenchPaths paths)
    {
        string gcc = HostTools.FindElf("gcc") ?? throw new InvalidOperationException("gcc is needed to build the measuring wrapper (Host/measure.c)");
        string exe = Path.Combine(paths.Build, "measure");
        string source = Path.Combine(paths.Repo, "tests", "UserEmu.Bench", "Host", "measure.c");
        if (CCompiler.CompileIfStale(gcc, source, exe, ["-O2", "-static"]) is { } error) throw new InvalidOperationException(error);
        return new MeasureWrapper(exe, Path.Combine(paths.Runs, "measure.result"));
    }

    public ChildExit Run(string[] argv, string stdoutPath, string stderrPath, TimeSpan limit, IReadOnlyDictionary<string, string>? environment = null)
    {
        File.Delete(resultFile);
        var outer = ChildProcess.Run([exe, resultFile, .. argv], "/dev/null", stdoutPath, stderrPath, limit, environment);
        // Killed on timeout, or could not start the program: the wrapper's own exit is all there is.
        if (outer.TimedOut || !File.Exists(resultFile)) return outer with { MaxRssKb = 0 };
        var f = File.ReadAllText(resultFile).Split(' ', StringSplitOptions.TrimEntries);
        long ns = long.Parse(f[0], CultureInfo.InvariantCulture);
        return ChildExit.FromWaitStatus(TimeSpan.FromTicks(ns / 100), int.Parse(f[2], CultureInfo.InvariantCulture), false,
            long.Parse(f[1], CultureInfo.InvariantCulture));
    }
}
