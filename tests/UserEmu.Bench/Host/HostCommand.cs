namespace UserEmu.Bench.Host;

/// <summary>Runs a helper command (gcc, dotnet build, a --version query) and returns what it printed.</summary>
static class HostCommand
{
    /// <summary>A finished helper command: its exit and its whole stdout and stderr.</summary>
    public sealed record Result(ChildExit Exit, string Stdout, string Stderr)
    {
        /// <summary>The first line that reads like an error, for a one-line report.</summary>
        public string FirstError =>
            (Stderr + "\n" + Stdout).Split('\n').Select(l => l.Trim())
                .FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? Exit.Status;
    }

    /// <summary>Runs argv with stdin from /dev/null, capturing both output streams through temporary files.</summary>
    public static Result Run(IReadOnlyList<string> argv, TimeSpan? timeout = null)
    {
        string outPath = Path.GetTempFileName(), errPath = Path.GetTempFileName();
        try
        {
            var exit = ChildProcess.Run(argv, "/dev/null", outPath, errPath, timeout);
            return new Result(exit, File.ReadAllText(outPath), File.ReadAllText(errPath));
        }
        finally
        {
            File.Delete(outPath);
            File.Delete(errPath);
        }
    }

    /// <summary>The first line a tool prints for --version, or null when it cannot be run.</summary>
    public static string? Version(string path, string flag = "--version")
    {
        var r = Run([path, flag], TimeSpan.FromSeconds(20));
        string text = r.Stdout.Length > 0 ? r.Stdout : r.Stderr;
        return r.Exit.Succeeded ? text.Split('\n')[0].Trim() : null;
    }
}
