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
    [InlineData("glibc", "c")]
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
                "glibc" => OraclePrograms.Glibc,
                _ => OraclePrograms.CProgram,
            });
            string[] flags = program == "glibc" ? ["-static", "-O1"]
                : language == "c" ? ["-static", "-nostdlib", "-O1", "-fno-stack-protector", "-fno-builtin", "-mgeneral-regs-only", "-fno-pie", "-no-pie"]
                : ["-static", "-nostdlib"];
            // The glibc program faults at its end when given an argument.
            string[] programArgs = program == "glibc" ? ["./" + program, "x"] : ["./" + program];
            var (code, text, _) = Run(dir, gcc, [.. flags, "-o", exe, src]);
            Assert.True(code == 0, $"gcc failed: {text}");

            string nativeTrace = Path.Combine(dir, "native.txt"), emuTrace = Path.Combine(dir, "emu.txt");
            var native = Run(dir, strace, ["-f", "-o", nativeTrace, .. programArgs]);
            string useremu = Path.Combine(AppContext.BaseDirectory, "useremu");
            var emu = Run(dir, useremu, ["-quiet-unimplemented", "-strace-file", emuTrace, .. programArgs]);
            Assert.Equal(native.Code, emu.Code);
            Assert.Equal(native.Output, emu.Output);

            var nativeLines = File.ReadAllLines(nativeTrace);
            int nativePid = int.Parse(nativeLines[0][..nativeLines[0].IndexOf(' ')]);
            var expected = TraceNormalizer.Normalize(nativeLines, nativePid);
            Compare(expected, TraceNormalizer.Normalize(File.ReadAllLines(emuTrace), emu.Pid));
            output.WriteLine($"{program}: {expected.Count} lines agree");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>busybox commands (a static glibc-free build from busybox-static) traced both ways.</summary>
    [Theory]
    [InlineData("true")]
    [InlineData("echo hi")]
    [InlineData("cat /etc/hostname")]
    [InlineData("ls -l DIR")]
    [InlineData("ls DIR")]
    [InlineData("wc -c /etc/hostname")]
    public void BusyboxTraceMatchesNativeStrace(string command)
    {
        string? busybox = Tool("busybox"), strace = Tool("strace");
        if (busybox == null || strace == null || IsDynamic(busybox))
        {
            output.WriteLine("skipped: needs strace and a static busybox (busybox-static)");
            return;
        }
        string dir = Directory.CreateTempSubdirectory("useremu-strace-bb-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "d"));
            File.WriteAllText(Path.Combine(dir, "d", "a"), "x");
            File.WriteAllText(Path.Combine(dir, "d", "b"), "yy");
            string[] args = [busybox, .. command.Replace("DIR", "d").Split(' ')];
            string nativeTrace = Path.Combine(dir, "native.txt"), emuTrace = Path.Combine(dir, "emu.txt");
            var native = Run(dir, strace, ["-f", "-o", nativeTrace, .. args]);
            var emu = Run(dir, Path.Combine(AppContext.BaseDirectory, "useremu"), ["-quiet-unimplemented", "-strace-file", emuTrace, .. args]);
            Assert.Equal(native.Output, emu.Output);
            Assert.Equal(native.Code, emu.Code);
            var nativeLines = File.ReadAllLines(nativeTrace);
            int nativePid = int.Parse(nativeLines[0][..nativeLines[0].IndexOf(' ')]);
            Compare(TraceNormalizer.Normalize(nativeLines, nativePid), TraceNormalizer.Normalize(File.ReadAllLines(emuTrace), emu.Pid));
            output.WriteLine($"busybox {command}: {nativeLines.Length} lines agree");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>-strace-summary counts the same calls and errors per syscall as `strace -c` (the times differ by nature).</summary>
    [Fact]
    public void SummaryCountsMatchStraceC()
    {
        string? gcc = Tool("gcc"), strace = Tool("strace");
        if (gcc == null || strace == null)
        {
            output.WriteLine("skipped: needs gcc and strace");
            return;
        }
        string dir = Directory.CreateTempSubdirectory("useremu-strace-c-").FullName;
        try
        {
            string src = Path.Combine(dir, "files.s"), exe = Path.Combine(dir, "files");
            File.WriteAllText(src, OraclePrograms.Files);
            Assert.Equal(0, Run(dir, gcc, ["-static", "-nostdlib", "-o", exe, src]).Code);
            string nativeTable = Path.Combine(dir, "native.txt"), emuTable = Path.Combine(dir, "emu.txt");
            Run(dir, strace, ["-c", "-o", nativeTable, "./files"]);
            Run(dir, Path.Combine(AppContext.BaseDirectory, "useremu"), ["-strace-summary", "-strace-file", emuTable, "./files"]);
            var expected = SummaryCounts(nativeTable);
            var actual = SummaryCounts(emuTable);
            Assert.True(expected.Count > 10, "strace -c listed too few calls");
            Assert.Equal(expected.OrderBy(kv => kv.Key), actual.OrderBy(kv => kv.Key));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>syscall → "calls/errors" from a strace -c table (the total row included).</summary>
    static Dictionary<string, string> SummaryCounts(string path)
    {
        var counts = new Dictionary<string, string>();
        foreach (var line in File.ReadAllLines(path).Skip(2))
        {
            if (line.StartsWith("---", StringComparison.Ordinal)) continue;
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 5) continue;
            counts[f[^1]] = f.Length == 6 ? $"{f[3]}/{f[4]}" : $"{f[3]}/0";
        }
        return counts;
    }

    /// <summary>Whether an ELF file asks for an interpreter (a PT_INTERP segment).</summary>
    static bool IsDynamic(string path)
    {
        var b = File.ReadAllBytes(path);
        long phoff = BitConverter.ToInt64(b, 0x20);
        int phentsize = BitConverter.ToUInt16(b, 0x36), phnum = BitConverter.ToUInt16(b, 0x38);
        for (int k = 0; k < phnum; k++)
            if (BitConverter.ToUInt32(b, (int)phoff + k * phentsize) == 3) return true;
        return false;
    }

    static void Compare(List<string> expected, List<string> actual)
    {
        for (int k = 0; k < Math.Min(expected.Count, actual.Count); k++)
            Assert.True(expected[k] == actual[k], $"line {k + 1} differs:\n  strace:  {expected[k]}\n  useremu: {actual[k]}");
        Assert.Equal(expected.Count, actual.Count);
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
