using System.Text.RegularExpressions;
using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Dispatch;

/// <summary>-code-cache: a program run again starts from the blocks its earlier run translated, unless their guest code changed.</summary>
public sealed partial class CodeCacheTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("useremu-code-cache-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [GeneratedRegex(@"; (\d+) from the code cache\)")]
    private static partial Regex Loaded();

    (CommandResult Result, long Loaded) Run(string program, params string[] args)
    {
        var r = HostCommand.RunEmulated(program, args, options: ["-code-cache", _dir, "-d", "stats"]);
        var m = Loaded().Match(r.Stderr);
        Assert.True(m.Success, r.ToString());
        return (r, long.Parse(m.Groups[1].Value));
    }

    static string WithoutStats(string stderr) => string.Concat(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Where(line => !line.StartsWith("useremu stats:", StringComparison.Ordinal)).Select(line => line + "\n"));

    [Fact]
    public void ASecondRunLoadsTheFirstRunsBlocksAndPrintsTheSame()
    {
        var native = HostCommand.Run("/bin/busybox", ["sh", "-c", "for i in 1 2 3; do echo $i; done | sort -r"]);
        var (first, loadedFirst) = Run("/bin/busybox", "sh", "-c", "for i in 1 2 3; do echo $i; done | sort -r");
        var (second, loadedSecond) = Run("/bin/busybox", "sh", "-c", "for i in 1 2 3; do echo $i; done | sort -r");
        Assert.Equal(0, loadedFirst);
        Assert.True(loadedSecond > 100, second.ToString());
        foreach (var r in new[] { first, second })
            Assert.Equal(native.ToString(), (r with { Stderr = WithoutStats(r.Stderr) }).ToString());
        Assert.Single(Directory.GetFiles(_dir, "*.tbc"));
        Assert.Empty(Directory.GetFiles(_dir, "*.journal"));
    }

    [GeneratedRegex(@"; (\d+) from the code cache; ")]
    private static partial Regex NativeLoaded();

    /// <summary>
    /// A block that had native code in the first run gets it from the cache in the second, as it is loaded: the stats
    /// count it, the output is native's, and (USEREMU_CHECK_IR_DROPS, set for the suite) each stored image is checked
    /// against the block compiled afresh in this process.
    /// </summary>
    [Fact]
    public void ASecondRunPutsTheFirstRunsNativeCodeInPlace()
    {
        string[] command = ["sh", "-c", "i=0; while [ $i -lt 300 ]; do i=$((i + 1)); done; echo $i | sort -r"];
        var native = HostCommand.Run("/bin/busybox", command);
        var (first, _) = Run("/bin/busybox", command);
        var (second, _) = Run("/bin/busybox", command);
        long NativeFromCache(CommandResult r) => long.Parse(NativeLoaded().Match(r.Stderr) is { Success: true } m ? m.Groups[1].Value : "-1");
        Assert.Equal(0, NativeFromCache(first));
        Assert.True(NativeFromCache(second) > 100, second.ToString());
        foreach (var r in new[] { first, second })
            Assert.Equal(native.ToString(), (r with { Stderr = WithoutStats(r.Stderr) }).ToString());
    }

    [GeneratedRegex(@"blocks translated (\d+) \(")]
    private static partial Regex Translated();

    /// <summary>
    /// Blocks calling helpers (x87 arithmetic, cpuid, rdtscp, and glibc's start-up) are kept too, their helpers named by
    /// catalog number: a second run translates nothing afresh, and prints what the program prints natively.
    /// </summary>
    [Fact]
    public void BlocksCallingHelpersAreKeptToo()
    {
        string exe = GuestProgram.Build("Dispatch/Programs/helper_calls.c", "-static");
        var native = HostCommand.Run(exe, []);
        var (first, loadedFirst) = Run(exe);
        var (second, loadedSecond) = Run(exe);
        Assert.Equal(0, loadedFirst);
        Assert.Equal(long.Parse(Translated().Match(second.Stderr).Groups[1].Value), loadedSecond);
        foreach (var r in new[] { first, second })
            Assert.Equal(native.ToString(), (r with { Stderr = WithoutStats(r.Stderr) }).ToString());
    }

    /// <summary>
    /// The same program (one cache file) runs code mapped from a data file at a fixed address: changed between runs, the
    /// code's stored block is not used, though everything about the program is the same but those bytes.
    /// </summary>
    [Fact]
    public void ChangedGuestCodeIsTranslatedAgain()
    {
        string exe = GuestProgram.Build("Dispatch/Programs/mapped_code.c", "-O1");
        string code = Path.Combine(_dir, "code.bin");
        string Returning(int value)
        {
            File.WriteAllBytes(code, [0xb8, .. BitConverter.GetBytes(value), 0xc3]);
            var native = HostCommand.Run(exe, [code]);
            var (emulated, _) = Run(exe, code);
            Assert.Equal(native.Stdout, emulated.Stdout);
            Assert.Equal(0, emulated.ExitStatus);
            return emulated.Stdout;
        }
        Assert.StartsWith("code returns 7,", Returning(7));
        Assert.StartsWith("code returns 7,", Returning(7));
        Assert.StartsWith("code returns 8,", Returning(8));
        Assert.StartsWith("code returns 7,", Returning(7));
    }

    /// <summary>
    /// Within one run, code unmapped and other code mapped at its address: the page's hash is taken again (the cache
    /// keeps page hashes only while the address space is unchanged), so the stored block of the first file, which
    /// the first run left, is not used for the second.
    /// </summary>
    [Fact]
    public void CodeMappedAgainAtTheSameAddressIsCheckedAgain()
    {
        string exe = GuestProgram.Build("Dispatch/Programs/mapped_code.c", "-O1");
        string first = Path.Combine(_dir, "first.bin"), second = Path.Combine(_dir, "second.bin");
        File.WriteAllBytes(first, [0xb8, .. BitConverter.GetBytes(7), 0xc3]);
        File.WriteAllBytes(second, [0xb8, .. BitConverter.GetBytes(8), 0xc3]);
        Run(exe, first);
        var native = HostCommand.Run(exe, [first, second]);
        var (emulated, loaded) = Run(exe, first, second);
        Assert.Contains("returns 8", native.Stdout);
        Assert.Equal(native.Stdout, emulated.Stdout);
        Assert.True(loaded > 0, emulated.ToString());
    }

    /// <summary>A damaged file (bytes flipped through its records and index) costs translations, never a wrong or failed run.</summary>
    [Fact]
    public void ADamagedFileIsOnlyMissed()
    {
        string[] command = ["sh", "-c", "for i in 1 2 3; do echo $i; done | sort -r"];
        var native = HostCommand.Run("/bin/busybox", command);
        Run("/bin/busybox", command);
        string file = Assert.Single(Directory.GetFiles(_dir, "*.tbc"));
        var bytes = File.ReadAllBytes(file);
        for (int at = bytes.Length / 8; at < bytes.Length - 64; at += 97) bytes[at] ^= 0x5a;
        File.WriteAllBytes(file, bytes);
        var (again, _) = Run("/bin/busybox", command);
        Assert.Equal(native.Stdout, again.Stdout);
        Assert.Equal(0, again.ExitStatus);
    }

    [Fact]
    public void OffWritesNothing()
    {
        var r = HostCommand.RunEmulated("/bin/busybox", ["true"], options: ["-code-cache", "off", "-d", "stats"]);
        Assert.Equal(0, r.ExitStatus);
        Assert.Contains("; 0 from the code cache)", r.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    /// <summary>A run that dies of a signal keeps nothing: its journal (python3 translates enough to write one) goes.</summary>
    [Fact]
    public void ARunThatDiesLeavesNoJournal()
    {
        var r = HostCommand.RunEmulated("/usr/bin/python3", ["-c", "import json, ctypes; ctypes.string_at(0)"], options: ["-code-cache", _dir]);
        Assert.Equal(128 + 11, r.ExitStatus);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void ADirectoryThatCannotBeMadeKeepsNothingAndChangesNothing()
    {
        var r = HostCommand.RunEmulated("/bin/busybox", ["echo", "ok"], options: ["-code-cache", "/proc/self/useremu-cache"]);
        Assert.Equal("status 0\n--- stdout\nok\n\n--- stderr\n", r.ToString());
    }

    /// <summary>Runs of one program at once each merge into the file: it stays whole, and a later run loads from it.</summary>
    [Fact]
    public void ConcurrentRunsLeaveAWholeFile()
    {
        var runs = Enumerable.Range(0, 6).Select(_ => Task.Run(() => Run("/bin/busybox", "sh", "-c", "echo $((6 * 7))"))).ToArray();
        Task.WaitAll(runs);
        foreach (var run in runs) Assert.Equal("42\n", run.Result.Result.Stdout);
        var (again, loaded) = Run("/bin/busybox", "sh", "-c", "echo $((6 * 7))");
        Assert.Equal("42\n", again.Stdout);
        Assert.True(loaded > 100, again.ToString());
        Assert.Empty(Directory.GetFiles(_dir, "*.journal"));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }
}
