using UserEmu.Bench.Host;

namespace UserEmu.Bench;

/// <summary>Compiles a workload's C source with gcc, skipping the compile when the binary is newer and the flags are the same.</summary>
static class CCompiler
{
    /// <summary>Returns null on success, else the first error line.</summary>
    public static string? CompileIfStale(string gcc, string source, string exe, string[] flags)
    {
        string stamp = exe + ".flags";
        string wanted = string.Join(' ', flags);
        bool fresh = File.Exists(exe) && File.Exists(stamp) && File.ReadAllText(stamp) == wanted
                     && File.GetLastWriteTimeUtc(exe) >= File.GetLastWriteTimeUtc(source);
        if (fresh) return null;
        var r = HostCommand.Run([gcc, "-o", exe, source, .. flags], TimeSpan.FromMinutes(2));
        if (!r.Exit.Succeeded) return $"gcc {Path.GetFileName(source)}: {EmulatorBuild.Truncate(r.FirstError, 200)}";
        File.WriteAllText(stamp, wanted);
        return null;
    }
}
