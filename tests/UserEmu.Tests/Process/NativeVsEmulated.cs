using System.Diagnostics;
using Xunit;

namespace UserEmu.Tests.ProcessModel;

/// <summary>What a program run left behind: its output streams and its exit status (128+n for death by signal n).</summary>
public sealed record RunResult(string Stdout, string Stderr, int ExitCode)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}--- stderr\n{Stderr}";
}

/// <summary>Runs a program natively and under the built useremu apphost and compares stdout, stderr and exit status.</summary>
public static class NativeVsEmulated
{
    const int TimeoutMs = 60_000;

    /// <summary>The useremu apphost next to the test assembly (the test project references the CLI project).</summary>
    public static string Emulator => Path.Combine(AppContext.BaseDirectory, "useremu");

    public static RunResult Run(string file, IEnumerable<string> args, string? cwd = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true,
            WorkingDirectory = cwd ?? GuestProgramBuilder.Dir,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.StandardInput.Close();
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(TimeoutMs))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {TimeoutMs / 1000} s");
        }
        p.WaitForExit();
        return new RunResult(stdout.Result, stderr.Result, p.ExitCode);
    }

    /// <summary>Runs <paramref name="program"/> both ways and asserts the results are the same; returns the native one.</summary>
    public static RunResult AssertSame(string program, params string[] args)
    {
        var native = Run(program, args);
        var emulated = Run(Emulator, ["--", program, .. args]);
        Assert.Equal(native.ToString(), emulated.ToString());
        return native;
    }
}
