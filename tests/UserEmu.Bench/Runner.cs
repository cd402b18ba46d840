using UserEmu.Bench.Host;

namespace UserEmu.Bench;

/// <summary>One way of running a workload: natively, or under an emulator given as an argv prefix.</summary>
/// <param name="Skipped">Why this runner is not available here (not installed, build failed, not selected).</param>
/// <param name="CodeCache">A useremu runner's code cache directory (USEREMU_CODE_CACHE), its own and emptied at the start; null: none.</param>
sealed record Runner(string Name, string[] Prefix, string? Skipped = null, string? CodeCache = null)
{
    public const string Native = "native", Qemu = "qemu", UserEmu = "useremu", UserEmuNoCache = "useremu-nocache", Baseline = "baseline";

    public bool IsNative => Name == Native;

    /// <summary>What the runner adds to the harness's environment.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; } = CodeCache != null || Name == UserEmuNoCache
        ? new Dictionary<string, string> { ["USEREMU_CODE_CACHE"] = CodeCache ?? "off" } : null;

    public string[] Command(string[] argv) => [.. Prefix, .. argv];

    /// <summary>native, qemu-x86_64, useremu and the --baseline binaries, in the interleaving order; unavailable ones carry the reason.</summary>
    public static List<Runner> Discover(BenchPaths paths, BenchOptions options)
    {
        bool Wanted(string name) => name == Native || options.Runners == null || options.Runners.Contains(name);
        var runners = new List<Runner> { new(Native, []) };

        if (!Wanted(Qemu)) runners.Add(new(Qemu, [], "not selected (--runners)"));
        else if (HostTools.FindElf("qemu-x86_64") is { } qemu) runners.Add(new(Qemu, [qemu]));
        else runners.Add(new(Qemu, [], "qemu-x86_64 not installed"));

        string? built = Wanted(UserEmu) || Wanted(UserEmuNoCache) ? EmulatorBuild.Ensure(paths, options.NoBuild) : null;
        string[] userEmu = options.Stats ? [paths.UserEmuBinary, "-d", "stats"] : [paths.UserEmuBinary];
        foreach (string name in new[] { UserEmu, UserEmuNoCache })
        {
            if (!Wanted(name)) runners.Add(new(name, [], "not selected (--runners)"));
            else if (built is { } why) runners.Add(new(name, [], why));
            else runners.Add(new(name, userEmu, CodeCache: name == UserEmu ? CodeCacheFor(paths, name) : null));
        }

        foreach (var (name, path) in options.Baselines)
            runners.Add(File.Exists(path) ? new(name, [path], CodeCache: CodeCacheFor(paths, name)) : new(name, [], $"{path} does not exist"));

        return runners;
    }

    // A fresh code cache directory for the runner under .bench/code-cache (a baseline built before the cache ignores it).
    static string CodeCacheFor(BenchPaths paths, string runner)
    {
        string dir = Path.Combine(paths.Repo, ".bench", "code-cache", runner);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        return dir;
    }
}
