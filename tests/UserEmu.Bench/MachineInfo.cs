using System.Runtime.InteropServices;
using UserEmu.Bench.Host;

namespace UserEmu.Bench;

/// <summary>The facts that make a table comparable with another: CPU, cores, OS, tool versions, commit.</summary>
sealed record MachineInfo(string Cpu, int Cores, string Os, string Kernel, string Dotnet, string? Gcc, string? Qemu, string? Commit, string? Load)
{
    public static MachineInfo Probe(BenchPaths paths, IEnumerable<Runner> runners)
    {
        string cpu = ReadField("/proc/cpuinfo", "model name", ':') ?? RuntimeInformation.ProcessArchitecture.ToString();
        string os = ReadField("/etc/os-release", "PRETTY_NAME", '=')?.Trim('"') ?? RuntimeInformation.OSDescription;
        string kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "?";
        string? qemu = runners.FirstOrDefault(r => r.Name == Runner.Qemu && r.Skipped == null)?.Prefix[0] is { } q ? HostCommand.Version(q) : null;
        string? gcc = HostTools.FindElf("gcc") is { } g ? HostCommand.Version(g) : null;
        // Read-only: the commit the emulator was built from (the tree may also carry uncommitted edits).
        string? commit = HostTools.FindElf("git") is { } git
            ? HostCommand.Run([git, "-C", paths.Repo, "rev-parse", "--short", "HEAD"], TimeSpan.FromSeconds(20)).Stdout.Trim()
            : null;
        // Other work on the machine inflates wall times; the load average says how much to trust a table.
        string? load = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null;
        return new MachineInfo(cpu, Environment.ProcessorCount, os, kernel, RuntimeInformation.FrameworkDescription, gcc, qemu,
            string.IsNullOrEmpty(commit) ? null : commit, load);
    }

    static string? ReadField(string file, string key, char separator)
    {
        if (!File.Exists(file)) return null;
        foreach (var line in File.ReadLines(file))
        {
            int i = line.IndexOf(separator);
            if (i > 0 && line[..i].Trim() == key) return line[(i + 1)..].Trim();
        }
        return null;
    }

    public IEnumerable<string> Describe()
    {
        yield return $"- Machine: {Cpu}, {Cores} cores, {Os}, Linux {Kernel}" + (Load != null ? $"; load average {Load} at start" : "");
        yield return $"- Tools: {Dotnet}; {Gcc ?? "gcc not found"}; {Qemu ?? "qemu-x86_64 not used"}";
        if (Commit != null) yield return $"- UserEmu commit: {Commit} (plus any uncommitted changes in the tree)";
    }
}
