using System.Globalization;

namespace UserEmu.Bench;

/// <summary>Renders the results as a Markdown table with ratios to native, peak RSS, output checks and geometric means.</summary>
static class ReportTable
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static List<string> Render(IReadOnlyList<WorkloadResult> results, IReadOnlyList<Runner> runners)
    {
        var emulators = runners.Where(r => !r.IsNative).ToList();
        var header = new List<string> { "workload", "native s" };
        foreach (var e in emulators) { header.Add($"{e.Name} s"); header.Add($"{e.Name} / native"); }
        header.Add("peak RSS MiB (" + string.Join(" / ", runners.Select(r => r.Name)) + ")");
        header.Add("output vs native");

        var lines = new List<string> { Row(header), Row(header.Select((_, i) => i == 0 || i == header.Count - 1 ? "---" : "---:")) };
        foreach (var w in results)
        {
            var cells = new List<string> { w.Workload.Name, TimeCell(w, w.Native) };
            foreach (var e in emulators)
            {
                var rr = w.ByRunner[e.Name];
                cells.Add(TimeCell(w, rr));
                cells.Add(Ratio(w, rr) is { } ratio ? FormatRatio(ratio) : "–");
            }
            cells.Add(string.Join(" / ", runners.Select(r => w.ByRunner[r.Name].PeakRssMb is { } mb && w.ByRunner[r.Name].NotRun == null
                ? mb.ToString("F1", Inv) : "–")));
            cells.Add(OutputCell(w, emulators));
            lines.Add(Row(cells));
        }

        // Only runners that exist here count: a missing qemu must not empty the all-runner mean.
        var present = runners.Where(r => r.Skipped == null).ToList();
        var allOk = results.Where(w => present.All(r => w.ByRunner[r.Name].Ok)).ToList();
        var mean = new List<string> { $"**geometric mean**, {allOk.Count} workload{(allOk.Count == 1 ? "" : "s")} ok in every runner", "" };
        var own = new List<string> { "geometric mean, each runner over its own successes", "" };
        foreach (var e in emulators)
        {
            mean.Add(""); mean.Add(GeoMean(allOk.Select(w => Ratio(w, w.ByRunner[e.Name]))) is { } g ? $"**{FormatRatio(g)}**" : "–");
            var mine = results.Select(w => Ratio(w, w.ByRunner[e.Name])).Where(r => r != null).ToList();
            own.Add(""); own.Add(GeoMean(mine) is { } m ? $"{FormatRatio(m)} ({mine.Count})" : "–");
        }
        mean.AddRange(["", ""]);
        own.AddRange(["", ""]);
        lines.Add(Row(mean));
        lines.Add(Row(own));
        return lines;
    }

    /// <summary>One bullet per skip, failure and mismatch, with the line from stderr that says why.</summary>
    public static List<string> Notes(IReadOnlyList<WorkloadResult> results, IReadOnlyList<Runner> runners)
    {
        var notes = runners.Where(r => r.Skipped != null).Select(r => $"- {r.Name}: skipped on every workload: {r.Skipped}").ToList();
        foreach (var w in results)
        {
            if (w.Prepared.Skipped != null) { notes.Add($"- {w.Workload.Name}: skipped: {w.Prepared.Skipped}"); continue; }
            if (w.Prepared.BuildError != null) { notes.Add($"- {w.Workload.Name}: FAIL before running: {w.Prepared.BuildError}"); continue; }
            foreach (var rr in w.ByRunner.Values)
            {
                if (rr.Failure != null) notes.Add($"- {w.Workload.Name} under {rr.Runner.Name}: FAIL ({rr.Failure.Status}){Why(rr)}");
                else if (rr.Mismatch != null) notes.Add($"- {w.Workload.Name} under {rr.Runner.Name}: MISMATCH ({rr.Mismatch.Status}){Why(rr)}");
            }
        }
        return notes;
    }

    static string Why(RunnerResult rr) => rr.Detail != null ? $": `{rr.Detail.Replace('`', '\'')}`" : "";

    static string TimeCell(WorkloadResult w, RunnerResult rr)
    {
        if (w.Prepared.Skipped != null) return "skipped";
        if (w.Prepared.BuildError != null) return "FAIL (build)";
        if (rr.Failure != null) return $"FAIL ({rr.Failure.Status})";
        if (rr.Mismatch != null) return $"MISMATCH ({rr.Mismatch.Status})";
        if (rr.Runner.Skipped != null) return "skipped";
        if (rr.NotRun != null || rr.MedianSeconds is not { } s) return "not run";
        // Four decimals below 0.1 s, where start-up times of a few milliseconds would otherwise lose their digits.
        return s.ToString(s < 0.1 ? "F4" : "F3", Inv);
    }

    static string OutputCell(WorkloadResult w, IEnumerable<Runner> emulators)
    {
        if (w.Prepared.Skipped != null || w.Prepared.BuildError != null) return "–";
        if (w.Native.Failure != null || w.Native.Mismatch != null) return "no reference (native failed)";
        var parts = new List<string>();
        foreach (var e in emulators)
        {
            var rr = w.ByRunner[e.Name];
            if (rr.NotRun != null) continue;
            parts.Add($"{e.Name} " + (rr.Mismatch != null ? "MISMATCH" : rr.Failure != null ? "FAIL" : "match"));
        }
        return parts.Count > 0 ? string.Join(", ", parts) : "native only";
    }

    static double? Ratio(WorkloadResult w, RunnerResult rr) =>
        w.Native.MedianSeconds is { } n && rr.MedianSeconds is { } e && n > 0 ? e / n : null;

    static double? GeoMean(IEnumerable<double?> ratios)
    {
        var r = ratios.Where(x => x is > 0).Select(x => x!.Value).ToList();
        return r.Count == 0 ? null : Math.Exp(r.Average(Math.Log));
    }

    static string FormatRatio(double r) => r.ToString(r >= 10 ? "F1" : "F2", Inv) + "x";

    static string Row(IEnumerable<string> cells) => "| " + string.Join(" | ", cells) + " |";
}
