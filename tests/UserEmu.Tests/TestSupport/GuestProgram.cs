using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace UserEmu.Tests.TestSupport;

/// <summary>What a program run printed and how it ended (exit code, or 128+signal when killed, as .NET and shells report it).</summary>
public sealed record ProgramResult(string Stdout, string Stderr, int ExitCode)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}--- stderr\n{Stderr}";
}

/// <summary>
/// End-to-end test programs: C sources under the test output's Programs folders, built with gcc at test time
/// (freestanding with TestSupport/GuestPrograms/rt.h, or static glibc), run natively and under the useremu apphost.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static class GuestProgram
{
    /// <summary>Flags for freestanding programs: no libc, no SSE (general registers only), fixed addresses.</summary>
    public static readonly string[] Freestanding =
        ["-static", "-nostdlib", "-ffreestanding", "-fno-stack-protector", "-fno-pie", "-no-pie", "-mgeneral-regs-only", "-O1"];

    static readonly string BuildDir = Directory.CreateTempSubdirectory("useremu-progs-").FullName;
    static readonly Lock Sync = new();

    /// <summary>The source file shipped next to the tests (relative to the test assembly's folder).</summary>
    public static string Source(string relative) => Path.Combine(AppContext.BaseDirectory, relative);

    /// <summary>Compiles <paramref name="relativeSource"/> (cached per source and flags); returns the executable's path.</summary>
    public static string Build(string relativeSource, params string[] flags)
    {
        string src = Source(relativeSource);
        string include = Source(Path.Combine("TestSupport", "GuestPrograms"));
        string key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(File.ReadAllText(src) + string.Join(' ', flags))))[..16];
        string exe = Path.Combine(BuildDir, Path.GetFileNameWithoutExtension(src) + "-" + key);
        lock (Sync)
        {
            if (File.Exists(exe)) return exe;
            var r = Run("gcc", [.. flags, "-I", include, "-o", exe, src], TimeSpan.FromSeconds(60));
            if (r.ExitCode != 0) throw new InvalidOperationException($"gcc failed for {relativeSource}:\n{r.Stderr}");
        }
        return exe;
    }

    /// <summary>Builds <paramref name="source"/> with <paramref name="flags"/>, runs it natively and emulated, and asserts the same output and status.</summary>
    public static ProgramResult SameAsNative(string source, string[] flags)
    {
        string exe = Build(source, flags);
        var native = RunNative(exe);
        var emulated = RunEmulated(exe);
        Xunit.Assert.Equal(native.ToString(), emulated.ToString());
        return emulated;
    }

    /// <summary>
    /// As <see cref="SameAsNative(string, string[])"/>, but a line may also differ where <paramref name="otherVendor"/>
    /// (native line, emulated line) recognises the host's answer as the other vendor's documented one for UserEmu's.
    /// </summary>
    public static ProgramResult SameAsNative(string source, string[] flags, Func<string, string, bool> otherVendor)
    {
        string exe = Build(source, flags);
        var native = RunNative(exe);
        var emulated = RunEmulated(exe);
        string[] n = native.Stdout.Split('\n'), e = emulated.Stdout.Split('\n');
        bool same = native.ExitCode == emulated.ExitCode && native.Stderr == emulated.Stderr && n.Length == e.Length
            && n.Zip(e).All(p => p.First == p.Second || otherVendor(p.First, p.Second));
        if (!same) Xunit.Assert.Equal(native.ToString(), emulated.ToString());
        return emulated;
    }

    /// <summary>The useremu apphost built next to the tests.</summary>
    public static string Emulator => Path.Combine(AppContext.BaseDirectory, "useremu");

    public static ProgramResult RunNative(string exe, TimeSpan? timeout = null, Action<Process, Func<string>>? whileRunning = null) =>
        Run(exe, [], timeout ?? TimeSpan.FromSeconds(30), whileRunning);

    public static ProgramResult RunEmulated(string exe, TimeSpan? timeout = null, Action<Process, Func<string>>? whileRunning = null) =>
        Run(Emulator, [exe], timeout ?? TimeSpan.FromSeconds(60), whileRunning);

    /// <summary>Runs a program to its end; a hang past <paramref name="timeout"/> kills it and fails.</summary>
    public static ProgramResult Run(string file, string[] args, TimeSpan timeout, Action<Process, Func<string>>? whileRunning = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = new StringBuilder();
        var stdoutDone = new TaskCompletionSource();
        // Read as it comes, so a test can act on what the program has printed so far (whileRunning's second argument).
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data == null) stdoutDone.TrySetResult();
            else lock (stdout) stdout.Append(e.Data).Append('\n');
        };
        p.BeginOutputReadLine();
        var stderr = p.StandardError.ReadToEndAsync();
        string Printed() { lock (stdout) return stdout.ToString(); }
        whileRunning?.Invoke(p, Printed);
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout.TotalSeconds} s; stdout so far:\n{Printed()}");
        }
        p.WaitForExit();
        stdoutDone.Task.Wait(TimeSpan.FromSeconds(10));
        return new ProgramResult(Printed(), stderr.Result, p.ExitCode);
    }

    /// <summary>Builds a freestanding program, runs it natively and emulated, and requires the same stdout and exit status.</summary>
    public static ProgramResult SameAsNative(string relativeSource, Action<Process, Func<string>>? whileRunning = null)
    {
        string exe = Build(relativeSource, Freestanding);
        var native = RunNative(exe, whileRunning: whileRunning);
        var emulated = RunEmulated(exe, whileRunning: whileRunning);
        Xunit.Assert.Equal(native.ToString(), emulated.ToString());
        return emulated;
    }
}
