using UserEmu.Bench.Host;

namespace UserEmu.Bench;

/// <summary>One way of running a workload: natively, or under an emulator given as an argv prefix.</summary>
/// <param name="Skipped">Why this runner is not available here (not installed, build failed, not selected).</param>
sealed record Runner(string Name, string[] Prefix, string? Skipped = null)
{
    public const string Native = "native", Qemu = "qemu", UserEmu = "useremu", Baseline = "baseline";

    public bool IsNative => Name == Native;

    public string[] Command(string[] argv) => [.. Prefix, .. argv];

    /// <summary>native, qemu-x86_64, useremu and the --baseline binaries, in the interleaving order; unavailable ones carry the reason.</summary>
    public static List<Runner> Discover(BenchPaths paths, BenchOptions options)
    {
        bool Wanted(string name) => name == Native || options.Runners == null || options.Runners.Contains(name);
        var runners = new List<Runner> { new(Native, []) };

        if (!Wanted(Qemu)) runners.Add(new(Qemu, [], "not selected (--runners)"));
        else if (HostTools.FindElf("qemu-x86_64") is { } qemu) runners.Add(new(Qemu, [qemu]));
        else runners.Add(new(Qemu, [], "qemu-x86_64 not installed"));

        if (!Wanted(UserEmu)) runners.Add(new(UserEmu, [], "not selected (--runners)"));
        else if (EmulatorBuild.Ensure(paths, options.NoBuild) is { } why) runners.Add(new(UserEmu, [], why));
        else runners.Add(new(UserEmu, options.Stats ? [paths.UserEmuBinary, "-d", "stats"] : [paths.UserEmuBinary]));

        foreach (var (name, path) in options.Baselines)
            runners.Add(File.Exists(path) ? new(name, [path]) : new(name, [], $"{path} does not exist"));

        return runners;
    }
}
