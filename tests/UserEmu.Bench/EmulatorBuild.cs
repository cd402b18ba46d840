using UserEmu.Bench.Host;

namespace UserEmu.Bench;

/// <summary>Makes sure src/UserEmu's Release build exists and is newer than the emulator's sources.</summary>
static class EmulatorBuild
{
    /// <summary>Builds when needed; returns null when the binary is ready, else why the useremu runner must be skipped.</summary>
    public static string? Ensure(BenchPaths paths, bool noBuild)
    {
        string binary = paths.UserEmuBinary;
        if (noBuild)
            return File.Exists(binary) ? null : $"no Release build at {Path.GetRelativePath(paths.Repo, binary)} (--no-build given)";
        if (File.Exists(binary) && !SourcesNewerThan(paths, File.GetLastWriteTimeUtc(binary + ".dll")))
            return null;

        Console.WriteLine("building useremu (Release)...");
        // No build servers: they would outlive the harness as orphans in its process group.
        var r = HostCommand.Run(["/usr/bin/env", "dotnet", "build", paths.UserEmuProject, "-c", "Release", "-nologo",
            "-v", "q", "-clp:ErrorsOnly", "--disable-build-servers"], TimeSpan.FromMinutes(10));
        if (r.Exit.Succeeded && File.Exists(binary)) return null;
        return $"Release build failed: {Truncate(r.FirstError, 200)}";
    }

    /// <summary>True when a source, project or props file that goes into useremu changed after the last build.</summary>
    static bool SourcesNewerThan(BenchPaths paths, DateTime built)
    {
        var roots = new[] { "src", "syscalls" }.Select(d => Path.Combine(paths.Repo, d)).Where(Directory.Exists);
        var files = roots.SelectMany(r => Directory.EnumerateFiles(r, "*", SearchOption.AllDirectories))
            .Where(f => !f.Contains("/bin/") && !f.Contains("/obj/"))
            .Where(f => f.EndsWith(".cs") || f.EndsWith(".csproj") || f.EndsWith(".props") || f.EndsWith(".targets"))
            .Append(Path.Combine(paths.Repo, "Directory.Build.props"));
        return files.Any(f => File.Exists(f) && File.GetLastWriteTimeUtc(f) > built);
    }

    public static string Truncate(string s, int max) => s.Length <= max ? s : s[..(max - 3)] + "...";
}
