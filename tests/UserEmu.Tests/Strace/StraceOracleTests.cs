using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace UserEmu.Tests.Strace;

/// <summary>
/// The oracle: each program runs natively under `strace -f -o` and under `useremu -strace-file`; the two traces must
/// agree line for line after <see cref="TraceNormalizer"/> (same calls, decoded arguments, results, signals and exit).
/// </summary>
public sealed class StraceOracleTests(ITestOutputHelper output)
{
    static string? Tool(string name) =>
        Environment.GetEnvironmentVariable("PATH")?.Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    [Theory]
    [InlineData("files", "s")]
    [InlineData("memsig", "s")]
    [InlineData("cprog", "c")]
    public void EmulatorTraceMatchesNativeStrace(string program, string language)
    {
        string? gcc = Tool("gcc"), strace = Tool("strace");
        if (gcc == null || strace == null || !OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
        {
            output.WriteLine("skipped: needs gcc and strace on an x86-64 Linux host");
            return;
        }
        string dir = Directory.CreateTempSubdirectory("useremu-strace-oracle-").FullName;
        try
        {
            string src = Path.Combine(dir, $"{program}.{language}"), exe = Path.Combine(dir, program);
            File.WriteAllText(src, program switch
            {
                "files" => OraclePrograms.Files,
                "memsig" => OraclePrograms.MemorySignals,
                _ => OraclePrograms.CProgram,
            });
            string[] flags = language == "c"
                ? ["-static", "-nostdlib", "-O1", "-fno-stack-protector", "-fno-builtin", "-mgeneral-regs-only", "-fno-pie", "-no-pie"]
                : ["-static", "-nostdlib"];
            var (code, text, _) = Run(dir, gcc, [.. flags, "-o", exe, src]);
            Assert.True(code == 0, $"gcc failed: {text}");

            string nativeTrace = Path.Combine(dir, "native.txt"), emuTrace = Path.Combine(dir, "emu.txt");
            var native = Run(dir, strace, ["-f", "-o", nativeTrace, "./" + program]);
            string useremu = Path.Combine(AppContext.BaseDirectory, "useremu");
            var emu = Run(dir, useremu, ["-quiet-unimplemented", "-strace-file", emuTrace, "./" + program]);
            Assert.Equal(native.Code, emu.Code);

            var nativeLines = File.ReadAllLines(nativeTrace);
            int nativePid = int.Parse(nativeLines[0][..nativeLines[0].IndexOf(' ')]);
            var expected = TraceNormalizer.Normalize(nativeLines, nativePid);
            var actual = TraceNormalizer.Normalize(File.ReadAllLines(emuTrace), emu.Pid);
            for (int k = 0; k < Math.Min(expected.Count, actual.Count); k++)
                Assert.True(expected[k] == actual[k], $"line {k + 1} differs:\n  strace:  {expected[k]}\n  useremu: {actual[k]}");
            Assert.Equal(expected.Count, actual.Count);
            output.WriteLine($"{program}: {expected.Count} lines agree");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    static (int Code, string Output, int Pid) Run(string dir, string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        int pid = p.Id;
        var err = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout + err.Result, pid);
    }
}
