using System.Globalization;

namespace UserEmu.Bench;

/// <summary>The whole generated report: when, where and how it was run, the table, notes, the commands and engine counters.</summary>
static class ReportDocument
{
    public static List<string> Compose(DateTime started, BenchOptions options, MachineInfo machine, BenchSession session,
        IReadOnlyList<WorkloadResult> results, IReadOnlyList<Runner> runners)
    {
        string args = options.CommandLine.Length > 0 ? " -- " + options.CommandLine : "";
        var doc = new List<string>
        {
            "## Latest results",
            "",
            string.Create(CultureInfo.InvariantCulture,
                $"Run {started:yyyy-MM-dd HH:mm} UTC with `dotnet run -c Release --project tests/UserEmu.Bench{args}`: ") +
                (options.Smoke ? "smoke run (one iteration, small sizes; times are not meaningful)." :
                    $"median wall time of {options.Iterations} interleaved runs per runner, after one untimed native warm-up run (and one untimed run of each useremu runner with a code cache, which fills it)."),
            "",
        };
        doc.AddRange(machine.Describe());
        doc.Add("");
        doc.AddRange(ReportTable.Render(results, runners));
        var notes = ReportTable.Notes(results, runners);
        if (notes.Count > 0)
        {
            doc.Add("");
            doc.Add("Failures, mismatches and skips (the first failing run of each; stderr line quoted):");
            doc.Add("");
            doc.AddRange(notes);
        }

        doc.AddRange(["", "### Workloads and commands", "",
            "Each command below is run as is (native), as `qemu-x86_64 <command>` and as `src/UserEmu/bin/Release/net10.0/useremu <command>`" +
            (options.Stats ? " (with `-d stats`)" : "") + ".", "",
            "| workload | what it stresses | command |", "|---|---|---|"]);
        foreach (var w in results)
        {
            string command = w.Prepared.Argv.Length > 0 ? $"`{session.Display(w.Prepared.Argv)}`" : "–";
            doc.Add($"| {w.Workload.Name} | {w.Workload.What} | {command} |");
        }

        var stats = results.Where(w => w.ByRunner.TryGetValue(Runner.UserEmu, out var u) && u.Stats.Count > 0).ToList();
        if (stats.Count > 0)
        {
            doc.AddRange(["", "### useremu engine counters (`-d stats`, last run)", ""]);
            foreach (var w in stats)
                doc.Add($"- {w.Workload.Name}: `{string.Join(" ", w.ByRunner[Runner.UserEmu].Stats)}`");
        }
        return doc;
    }
}
