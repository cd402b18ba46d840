using System.Diagnostics;

namespace UserEmu.Tests.TestSupport;

/// <summary>What a finished program did: its output and its wait status, decoded the way a shell shows it.</summary>
/// <param name="ExitStatus">Exit code, or 128 + signal number when a signal killed it (as $? in a shell).</param>
public sealed record CommandResult(string Stdout, string Stderr, int ExitStatus, bool TimedOut)
{
    public override string ToString() => $"status {ExitStatus}{(TimedOut ? " (timed out)" : "")}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs host programs and the built <c>useremu</c> command with captured output and a timeout.</summary>
public static class HostCommand
{
    /// <summary>The <c>useremu</c> apphost copied next to the test assembly.</summary>
    public static string Emulator => Path.Combine(AppContext.BaseDirectory, "useremu");

    public static CommandResult Run(string file, IEnumerable<string> args, string? stdin = null, int timeoutMs = 60_000,
        IReadOnlyDictionary<string, string>? env = null, string? workDir = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workDir ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env != null)
            foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        // A program that exits without reading its input closes the pipe: that is its business, not a test failure.
        var feed = Task.Run(() =>
        {
            try
            {
                if (stdin != null) p.StandardInput.Write(stdin);
                p.StandardInput.Close();
            }
            catch (IOException) { }
        });
        bool done = p.WaitForExit(timeoutMs);
        if (!done)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        feed.Wait();
        return new CommandResult(stdout.Result, stderr.Result, p.ExitCode, !done);
    }

    /// <summary>Runs <paramref name="program"/> under the emulator with <paramref name="options"/> before it.</summary>
    public static CommandResult RunEmulated(string program, IEnumerable<string> args, string? stdin = null, int timeoutMs = 60_000,
        IEnumerable<string>? options = null, IReadOnlyDictionary<string, string>? env = null, string? workDir = null) =>
        Run(Emulator, [.. options ?? [], program, .. args], stdin, timeoutMs, env, workDir);
}
