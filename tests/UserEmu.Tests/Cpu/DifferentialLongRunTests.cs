using System.Diagnostics;
using System.Reflection;
using UserEmu.Tests.Cpu.Avx;
using UserEmu.Tests.Cpu.X87;
using Xunit;
using Xunit.Abstractions;

namespace UserEmu.Tests.Cpu;

/// <summary>
/// Drives the differential suites for many rounds, each round every test of the suite with another seed
/// (<see cref="DifferentialTester.Round"/>), and totals cases, comparisons and mismatches per suite.
/// </summary>
/// <remarks>
/// On demand: USEREMU_DIFF_SUITE (comma-separated class names, or "all"), USEREMU_DIFF_ROUNDS (rounds per suite),
/// USEREMU_DIFF_SEED (first round, default 1), USEREMU_DIFF_SECONDS (per suite: stop starting rounds after this wall time),
/// USEREMU_DIFF_LOG (a file that gets one line per round, so an interrupted run still has its counts).
/// Without them, CI runs one round of one small test with a seed CI does not otherwise use.
/// </remarks>
public class DifferentialLongRunTests(ITestOutputHelper output)
{
    /// <summary>The suites whose cases go through <see cref="DifferentialTester.Run"/>, by class name.</summary>
    static readonly Type[] Suites =
    [
        typeof(IntegerDifferentialTests), typeof(SseIntegerDifferentialTests), typeof(SseFloatDifferentialTests),
        typeof(MmxDifferentialTests), typeof(X87DifferentialTests), typeof(VexDifferentialTests), typeof(XsaveDifferentialTests),
        typeof(Addr32DifferentialTests), typeof(X87Environment16Tests), typeof(DoubleShift16Tests),
        typeof(StackMemoryDifferentialTests),
    ];

    /// <summary>Totals of one suite over the rounds run.</summary>
    sealed class Tally
    {
        public long Cases, Comparisons, Mismatches;
        public int Rounds;
        public readonly List<string> Problems = new();
    }

    [Fact]
    public void RoundsOfEverySuite()
    {
        string? suites = Environment.GetEnvironmentVariable("USEREMU_DIFF_SUITE");
        if (NativeHarness.Instance == null)
        {
            output.WriteLine($"skipped: {NativeHarness.UnavailableReason}");
            return;
        }
        if (suites == null)
        {
            // CI: one round of one test with a seed of its own, so the driver itself is exercised.
            var tally = RunRound(typeof(IntegerDifferentialTests), 1, nameof(IntegerDifferentialTests.FlagInstructions));
            output.WriteLine($"round 1: {tally.Cases} cases, {tally.Comparisons} comparisons, {tally.Mismatches} mismatches");
            Assert.True(tally.Comparisons >= tally.Cases && tally.Cases > 0, "no cases compared");
            Assert.True(tally.Problems.Count == 0, string.Join("\n\n", tally.Problems));
            return;
        }
        int rounds = EnvInt("USEREMU_DIFF_ROUNDS", 1), first = EnvInt("USEREMU_DIFF_SEED", 1);
        double budget = EnvInt("USEREMU_DIFF_SECONDS", int.MaxValue);
        string? log = Environment.GetEnvironmentVariable("USEREMU_DIFF_LOG");
        var picked = suites == "all" ? Suites : suites.Split(',').Select(n => Suites.Single(s => s.Name == n.Trim())).ToArray();
        var problems = new List<string>();
        foreach (var suite in picked)
        {
            var total = new Tally();
            var suiteClock = Stopwatch.StartNew();
            for (int r = first; r < first + rounds && suiteClock.Elapsed.TotalSeconds < budget; r++)
            {
                var t = RunRound(suite, r, null);
                total.Cases += t.Cases;
                total.Comparisons += t.Comparisons;
                total.Mismatches += t.Mismatches;
                total.Rounds++;
                total.Problems.AddRange(t.Problems);
                string line = $"{suite.Name} round {r}: {t.Cases} cases, {t.Comparisons} comparisons, {t.Mismatches} mismatches, " +
                              $"{suiteClock.Elapsed.TotalSeconds:F0} s";
                if (log != null) File.AppendAllText(log, line + "\n" + string.Concat(t.Problems.Select(p => p + "\n")));
            }
            string summary = $"{suite.Name}: seeds {first}..{first + total.Rounds - 1}, {total.Cases} cases, {total.Comparisons} comparisons, " +
                             $"{total.Mismatches} mismatches, {suiteClock.Elapsed.TotalSeconds:F0} s";
            output.WriteLine(summary);
            if (log != null) File.AppendAllText(log, "TOTAL " + summary + "\n");
            problems.AddRange(total.Problems.Take(10));
        }
        Assert.True(problems.Count == 0, string.Join("\n\n", problems));
    }

    /// <summary>Runs every test of <paramref name="suite"/> (or the one named) once with <see cref="DifferentialTester.Round"/> = <paramref name="round"/>.</summary>
    static Tally RunRound(Type suite, int round, string? only)
    {
        var tally = new Tally();
        DifferentialTester.Round = round;
        DifferentialTester.Finished = (report, cases) =>
        {
            tally.Cases += cases;
            tally.Comparisons += report.Compared;
            tally.Mismatches += report.Failures.Count;
        };
        try
        {
            foreach (var m in suite.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            {
                if (m.GetCustomAttribute<FactAttribute>() == null || (only != null && m.Name != only)) continue;
                var rows = m.GetCustomAttributes<InlineDataAttribute>().SelectMany(a => a.GetData(m)).ToList();
                if (rows.Count == 0) rows.Add([]);
                foreach (var args in rows)
                {
                    var ctor = suite.GetConstructor([typeof(ITestOutputHelper)]);
                    object instance = ctor != null ? ctor.Invoke([new Silent()]) : Activator.CreateInstance(suite)!;
                    try
                    {
                        m.Invoke(instance, args);
                    }
                    catch (TargetInvocationException e)
                    {
                        string text = e.InnerException?.Message ?? e.Message;
                        tally.Problems.Add($"{suite.Name}.{m.Name}({string.Join(", ", args)}) round {round}: {text[..Math.Min(text.Length, 4000)]}");
                    }
                }
            }
        }
        finally
        {
            DifferentialTester.Round = 0;
            DifferentialTester.Finished = null;
        }
        return tally;
    }

    static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int n) && n > 0 ? n : fallback;

    /// <summary>Drops the suites' own per-test lines; the tally is what a long run reports.</summary>
    sealed class Silent : ITestOutputHelper
    {
        public void WriteLine(string message) { }
        public void WriteLine(string format, params object[] args) { }
    }
}
