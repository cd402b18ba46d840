using System.Diagnostics;
using UserEmu.Bench;
using UserEmu.Bench.Host;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
    var unknown = (options.Only ?? []).Where(n => WorkloadCatalog.All.All(w => w.Name != n))
        .Concat((options.Runners ?? []).Where(r => r is not (Runner.Native or Runner.Qemu or Runner.UserEmu or Runner.UserEmuNoCache))).ToList();
    if (unknown.Count > 0) throw new ArgumentException($"unknown workload or runner: {string.Join(", ", unknown)}");
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"UserEmu.Bench: {e.Message}");
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}
if (options.ShowHelp)
{
    Console.WriteLine(BenchOptions.Usage);
    Console.WriteLine("workloads:");
    foreach (var w in WorkloadCatalog.All) Console.WriteLine($"  {w.Name,-10} {w.What}");
    return 0;
}

var started = DateTime.UtcNow;
var clock = Stopwatch.StartNew();
var paths = BenchPaths.Locate();
var runners = Runner.Discover(paths, options);
foreach (var r in runners.Where(r => r.Skipped != null)) Console.WriteLine($"runner {r.Name}: skipped: {r.Skipped}");
var machine = MachineInfo.Probe(paths, runners);
var context = new WorkloadContext(paths, options.Smoke);
MeasureWrapper measure;
try { measure = MeasureWrapper.Build(paths); }
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"UserEmu.Bench: {e.Message}");
    return 2;
}
var session = new BenchSession(paths, options, runners, measure);
var results = WorkloadCatalog.All.Where(w => options.Only == null || options.Only.Contains(w.Name))
    .Select(w => session.Run(w, context)).ToList();

var report = ReportDocument.Compose(started, options, machine, session, results, runners);
Console.WriteLine();
foreach (var line in report) Console.WriteLine(line);
if (!options.Smoke && !options.NoWrite)
{
    DocsWriter.Write(paths.Docs, report);
    Console.WriteLine($"\nwrote {Path.GetRelativePath(Environment.CurrentDirectory, paths.Docs)} ({clock.Elapsed.TotalSeconds:F0} s in all)");
}

// Native failures and wrong output always fail the run (CI's smoke check); emulator crashes only with --strict,
// since useremu is expected to fail some workloads (dynamic binaries) until the features they need land.
bool broken = results.Any(w => w.Prepared.BuildError != null || w.Native.Failure != null
                               || w.ByRunner.Values.Any(r => r.Mismatch != null || (options.Strict && r.Failure != null)));
return broken ? 1 : 0;
