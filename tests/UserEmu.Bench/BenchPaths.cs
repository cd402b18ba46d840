namespace UserEmu.Bench;

/// <summary>Where things are: the repository, the workload sources, and the git-ignored .bench/ cache.</summary>
sealed class BenchPaths
{
    public required string Repo { get; init; }
    public string Workloads => Path.Combine(Repo, "tests", "UserEmu.Bench", "Workloads");
    /// <summary>Compiled workload binaries, rebuilt when their source or flags change.</summary>
    public string Build => Path.Combine(Repo, ".bench", "build");
    /// <summary>Generated inputs (the 32 MiB file, the big C file), made once and reused.</summary>
    public string Data => Path.Combine(Repo, ".bench", "data");
    /// <summary>stdout, stderr and output files of the runs; overwritten by each run.</summary>
    public string Runs => Path.Combine(Repo, ".bench", "runs");
    public string Docs => Path.Combine(Repo, "docs", "benchmarks.md");
    public string UserEmuProject => Path.Combine(Repo, "src", "UserEmu", "UserEmu.csproj");
    public string UserEmuBinary => Path.Combine(Repo, "src", "UserEmu", "bin", "Release", "net10.0", "useremu");

    /// <summary>Finds the repository from the working directory or, failing that, from the harness's own location.</summary>
    public static BenchPaths Locate()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "UserEmu.sln")))
                {
                    var paths = new BenchPaths { Repo = dir.FullName };
                    Directory.CreateDirectory(paths.Build);
                    Directory.CreateDirectory(paths.Data);
                    Directory.CreateDirectory(paths.Runs);
                    return paths;
                }
        throw new InvalidOperationException("cannot find UserEmu.sln above the working directory; run from the repository");
    }
}
