using System.Globalization;

namespace UserEmu.Bench;

/// <summary>The harness's command line.</summary>
sealed class BenchOptions
{
    public int Iterations { get; private set; } = 5;
    public HashSet<string>? Only { get; private set; }
    public HashSet<string>? Runners { get; private set; }
    public bool Smoke { get; private set; }
    public bool Stats { get; private set; }
    public bool NoBuild { get; private set; }
    public bool NoWrite { get; private set; }
    public bool Strict { get; private set; }
    /// <summary>Other useremu binaries (say, worktree builds of the commits before a change), each run as one more runner: (name, path).</summary>
    public List<(string Name, string Path)> Baselines { get; } = new();
    /// <summary>Per-run limit; null means derived from the native time (see <see cref="BenchSession"/>).</summary>
    public TimeSpan? Timeout { get; private set; }
    public bool ShowHelp { get; private set; }
    /// <summary>The arguments as given, recorded in docs/benchmarks.md so a reader can rerun the same thing.</summary>
    public string CommandLine { get; private set; } = "";

    public const string Usage = """
        usage: dotnet run -c Release --project tests/UserEmu.Bench -- [options]
          --iterations N     timed runs per runner and workload, interleaved (default 5)
          --only a,b,...     run only these workloads (names as in the table)
          --runners r,...    run only these runners: native, qemu, useremu, useremu-nocache (native always runs: it is
                             the reference). useremu keeps its code cache in .bench/code-cache/ (emptied at the start,
                             filled by one untimed run per workload); useremu-nocache runs with -code-cache off
          --smoke            one iteration, small sizes, outputs checked only; does not touch docs/benchmarks.md
          --stats            pass -d stats to useremu and print the engine counters it reports
          --timeout S        kill a run after S seconds (default: max(60, 100 x native time))
          --no-build         use the existing Release build of useremu instead of rebuilding it when sources changed
          --no-write         print the table but leave docs/benchmarks.md alone
          --strict           exit 1 when any run fails (default: only native failures and mismatching output do)
          --baseline [NAME=]PATH
                             also run another useremu binary (e.g. a worktree's build of the commit before a change),
                             interleaved with the others, as runner NAME (default "baseline"); repeatable, so a series
                             of commits is measured in one run
        """;

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions { CommandLine = string.Join(' ', args) };
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option {a} needs a value");
            switch (a)
            {
                case "--iterations" or "-n":
                    o.Iterations = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
                        ? n : throw new ArgumentException("--iterations needs a positive number");
                    break;
                case "--only": o.Only = List(Value()); break;
                case "--runners": o.Runners = List(Value()); break;
                case "--smoke": o.Smoke = true; break;
                case "--stats": o.Stats = true; break;
                case "--timeout":
                    o.Timeout = double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0
                        ? TimeSpan.FromSeconds(s) : throw new ArgumentException("--timeout needs a positive number of seconds");
                    break;
                case "--no-build": o.NoBuild = true; break;
                case "--no-write": o.NoWrite = true; break;
                case "--strict": o.Strict = true; break;
                case "--baseline":
                {
                    string v = Value();
                    int eq = v.IndexOf('=');
                    string name = eq > 0 ? v[..eq] : Runner.Baseline;
                    if (o.Baselines.Any(b => b.Name == name)) throw new ArgumentException($"two baselines named {name}");
                    o.Baselines.Add((name, Path.GetFullPath(eq > 0 ? v[(eq + 1)..] : v)));
                    break;
                }
                case "-h" or "--help": o.ShowHelp = true; break;
                default: throw new ArgumentException($"unknown option '{a}'");
            }
        }
        if (o.Smoke) o.Iterations = 1;
        return o;
    }

    static HashSet<string> List(string v) => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
}
