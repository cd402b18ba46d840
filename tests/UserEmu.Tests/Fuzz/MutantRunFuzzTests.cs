using UserEmu.Tests.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace UserEmu.Tests.Fuzz;

/// <summary>
/// Mutated real executables run through the <c>useremu</c> command: each ends with a clean exec error or a guest-level
/// outcome (an exit status, a signal), never a .NET exception, an internal error or a hang past the timeout.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MutantRunFuzzTests(ITestOutputHelper output) : IDisposable
{
    const int TimeoutMs = 10_000;
    readonly string _dir = Directory.CreateTempSubdirectory("useremu-mutantrun-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>What the emulator must never print, whatever the guest does.</summary>
    static string? HostFailure(CommandResult r)
    {
        if (r.TimedOut) return "hang";
        if (r.Stderr.Contains("Unhandled exception", StringComparison.Ordinal)) return ".NET unhandled exception";
        if (r.Stderr.Contains("\n   at ", StringComparison.Ordinal)) return ".NET stack trace";
        if (r.Stderr.Contains("useremu: internal error", StringComparison.Ordinal)) return "internal error";
        // 134 is SIGABRT: from the runtime's own fail-fast, or a guest abort() (glibc prints no stack trace then).
        if (r.ExitStatus == 134 && r.Stderr.Contains("Fatal error", StringComparison.Ordinal)) return "runtime fail-fast";
        return null;
    }

    [Fact]
    public void MutatedExecutablesRunCleanly()
    {
        var seeds = new[]
        {
            GuestCompiler.BuildSample("exit42.s", BuildFlavor.Assembly),
            GuestCompiler.BuildSample("hello.c", BuildFlavor.MuslStatic),
            GuestCompiler.BuildSample("hello.c", BuildFlavor.GlibcStatic),
            GuestCompiler.BuildSample("hello.c", BuildFlavor.GlibcStaticPie),
            GuestCompiler.BuildSample("hello.c", BuildFlavor.GlibcDynamic),
        }.Select(File.ReadAllBytes).ToArray();
        var rng = new Random(FuzzSettings.Seed(23));
        int iterations = FuzzSettings.Iterations(20), rejected = 0, exited = 0, signaled = 0, hungNatively = 0;
        var failures = new List<string>();
        string path = Path.Combine(_dir, "mutant");
        for (int i = 0; i < iterations; i++)
        {
            byte[] bytes = LoaderFuzzTests.Mutate(seeds[rng.Next(seeds.Length)], rng);
            if (FuzzSettings.Only is { } only && only != i) continue;
            File.WriteAllBytes(path, bytes);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            var r = HostCommand.RunEmulated(path, [], timeoutMs: TimeoutMs, workDir: _dir);
            // A mutation can make the program itself wait forever (a futex never woken, a loop): a guest outcome
            // when the same file hangs natively too.
            if (r.TimedOut && HostCommand.Run(path, [], timeoutMs: TimeoutMs, workDir: _dir).TimedOut)
            {
                hungNatively++;
                continue;
            }
            // A loaded machine can slow a normal run past the timeout: a hang must hang again with six times the time.
            if (r.TimedOut) r = HostCommand.RunEmulated(path, [], timeoutMs: 6 * TimeoutMs, workDir: _dir);
            if (HostFailure(r) is { } what)
            {
                string keep = Path.Combine(Path.GetTempPath(), $"useremu-mutant-{FuzzSettings.Seed(23)}-{i}");
                File.WriteAllBytes(keep, bytes);
                failures.Add($"iteration {i}: {what} (input kept in {keep})\n{r}");
                output.WriteLine(failures[^1]);
                if (failures.Count >= 10) break;
                continue;
            }
            if (r.Stderr.StartsWith($"useremu: {path}: ", StringComparison.Ordinal) && r.ExitStatus is 126 or 127) rejected++;
            else if (r.ExitStatus > 128) signaled++;
            else exited++;
        }
        output.WriteLine($"{iterations} mutants run: {rejected} rejected by the loader, {exited} exited, {signaled} killed by a signal, {hungNatively} hung as natively, {failures.Count} host failures");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(3)));
    }
}
