using System.Text.RegularExpressions;
using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Limits;

/// <summary>
/// Resource exhaustion ends as it does natively and never as an emulator failure: endless generated code runs in
/// bounded memory (translation cache flushes), a fork bomb stops at RLIMIT_NPROC, endless recursion dies of SIGSEGV,
/// a thousand threads run and are joined.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class ResourceLimitTests
{
    static readonly string[] StaticGlibc = ["-static", "-O1", "-pthread"];

    [GeneratedRegex(@"cache flushes (\d+)")]
    private static partial Regex FlushCount();

    [GeneratedRegex(@"^maxrss (\d+)$", RegexOptions.Multiline)]
    private static partial Regex MaxRss();

    /// <summary>Runs the JIT-like program with a small cache under /usr/bin/time: its stdout, flush count and peak RSS in KB.</summary>
    static (string Stdout, long Flushes, long RssKb) RunJit(string exe, int pages, int nativeThreshold)
    {
        var r = HostCommand.Run("/usr/bin/time", ["-f", "maxrss %M", HostCommand.Emulator, "-d", "stats", "-tb-cache-blocks", "20000",
                "-native-threshold", nativeThreshold.ToString(), exe, pages.ToString()],
            timeoutMs: 120_000);
        Assert.False(r.TimedOut, r.ToString());
        Assert.Equal(0, r.ExitStatus);
        var native = HostCommand.Run(exe, [pages.ToString()]);
        Assert.Equal(native.Stdout, r.Stdout);
        var flushes = FlushCount().Match(r.Stderr);
        var rss = MaxRss().Match(r.Stderr);
        Assert.True(flushes.Success && rss.Success, r.ToString());
        return (r.Stdout, long.Parse(flushes.Groups[1].Value), long.Parse(rss.Groups[1].Value));
    }

    /// <summary>
    /// 128k and then 512k never-seen blocks through a 20000-block cache: the cache is flushed again and again, the
    /// output is the native one, and peak memory barely grows with the amount of code (unbounded, the 512k run
    /// needs ~400 MB more than the 128k one: ~1 KB of IR per block). With every block translated to native code at
    /// once, each flush also frees the native code (with the other threads parked).
    /// </summary>
    [Theory]
    [InlineData(32)]
    [InlineData(0)]
    public void GeneratedCodeRunsInBoundedMemory(int nativeThreshold)
    {
        if (!File.Exists("/usr/bin/time")) return; // GNU time reports the peak RSS; Debian's package "time"
        string exe = GuestProgram.Build("Limits/Programs/jitpages.c", StaticGlibc);
        var small = RunJit(exe, 2000, nativeThreshold);
        var large = RunJit(exe, 8000, nativeThreshold);
        Assert.True(small.Flushes >= 128_000 / 20_000, $"{small.Flushes} flushes for 128k blocks");
        Assert.True(large.Flushes >= 512_000 / 20_000, $"{large.Flushes} flushes for 512k blocks");
        Assert.True(large.RssKb - small.RssKb < 128 * 1024, $"peak RSS {small.RssKb} KB for 128k blocks, {large.RssKb} KB for 512k blocks");
    }

    /// <summary>
    /// setrlimit(RLIMIT_NPROC) reaches the host, so the host fork fails with EAGAIN. Root ignores RLIMIT_NPROC, so as
    /// root both runs are made as nobody (setpriv), from a directory nobody may enter.
    /// </summary>
    [Fact]
    public void ForkBombStopsAtNprocLimit()
    {
        string built = GuestProgram.Build("Limits/Programs/nproc.c", StaticGlibc);
        bool root = UserEmu.Loader.HostIds.Euid == 0;
        if (root && !File.Exists("/usr/bin/setpriv")) return; // cannot drop to a uid that RLIMIT_NPROC applies to
        string dir = Directory.CreateTempSubdirectory("useremu-nproc-").FullName;
        try
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0x1ED);
            string exe = Path.Combine(dir, "nproc");
            File.Copy(built, exe);
            File.SetUnixFileMode(exe, (UnixFileMode)0x1ED);
            string[] asNobody = root ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
            CommandResult Run(params string[] cmd) => HostCommand.Run(cmd[0], cmd[1..], timeoutMs: 120_000, workDir: dir);
            var native = Run([.. asNobody, exe, "40"]);
            var emulated = Run([.. asNobody, HostCommand.Emulator, exe, "40"]);
            const string expected = "RLIMIT_NPROC 40 40\nfork failed: EAGAIN\nchildren within the limit: yes\nall reaped: yes\n";
            Assert.Equal(expected, native.Stdout);
            Assert.Equal(native.ToString(), emulated.ToString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The guest stack grows to RLIMIT_STACK (8 MiB) and the next frame is a SIGSEGV: status 139 both ways.</summary>
    [Fact]
    public void EndlessRecursionDiesOfSigsegv()
    {
        var r = GuestProgram.SameAsNative("Limits/Programs/recurse.c", StaticGlibc);
        Assert.Equal(128 + 11, r.ExitCode);
    }

    [Fact]
    public void ThousandThreadsCreatedAndJoined()
    {
        var r = GuestProgram.SameAsNative("Limits/Programs/threads1000.c", StaticGlibc);
        Assert.Equal("1000 threads joined, sum 1498500\n", r.Stdout);
    }

    /// <summary>
    /// Under `ulimit -n 32` (soft and hard) the emulator keeps fewer numbers for the guest's first descriptors and its
    /// own above them: the guest's first opens get 3, 4 and 5 as natively, again after an execve, and it opens more
    /// until EMFILE. Before, the placeholders took every number the limit allows and useremu stopped with
    /// "too many open files" (status 126). The emulator's own descriptors count against the limit, so the guest opens
    /// fewer in all than natively (as under qemu): the program reports at most 8.
    /// </summary>
    [Fact]
    public void LowDescriptorLimitLeavesTheGuestItsNumbers()
    {
        string exe = GuestProgram.Build("Limits/Programs/nofile.c", StaticGlibc);
        CommandResult Run(params string[] cmd) => HostCommand.Run("/bin/sh", ["-c", "ulimit -n 32 && exec \"$@\"", "sh", .. cmd], timeoutMs: 60_000);
        var native = Run(exe);
        var emulated = Run(HostCommand.Emulator, exe);
        Assert.Equal("first: fds 3 4 5\nagain: fds 3 4 5\nagain: opened until EMFILE at 8\n", native.Stdout);
        Assert.Equal(native.ToString(), emulated.ToString());
    }

    /// <summary>
    /// A guest that lowers its descriptor limit below descriptors it keeps open, then execs, starts again as natively:
    /// the exec'd emulator had found every number under the limit taken (the guest's and its placeholders) and failed to
    /// load its own libraries (EMFILE). Static and dynamic, since the guest's loader opens files first in the latter.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void DescriptorLimitLoweredBelowOpenDescriptorsSurvivesExec(bool isStatic)
    {
        string exe = GuestProgram.Build("Limits/Programs/nofile_lowered.c", isStatic ? StaticGlibc : ["-O1"]);
        var native = HostCommand.Run(exe, []);
        var emulated = HostCommand.Run(HostCommand.Emulator, [exe]);
        Assert.Matches(@"^first: descriptors \d+\.\.(\d+) open, soft limit 29\nagain: soft limit 29, descriptor \1 open, first new descriptor 3, \d+ opened until EMFILE\n$", native.Stdout);
        Assert.Equal(native.ToString(), emulated.ToString());
    }

    /// <summary>RLIMIT_STACK, DATA and AS, which only the guest's view holds, survive an execve as the kernel's limits do.</summary>
    [Fact]
    public void EmulatedLimitsSurviveExec()
    {
        string exe = GuestProgram.Build("Limits/Programs/limits_exec.c", StaticGlibc);
        var native = HostCommand.Run(exe, []);
        var emulated = HostCommand.Run(HostCommand.Emulator, [exe]);
        Assert.Contains("again: as 800000000 1000000000\n", native.Stdout);
        Assert.Equal(native.ToString(), emulated.ToString());
    }
}
