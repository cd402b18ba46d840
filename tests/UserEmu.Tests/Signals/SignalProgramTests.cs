using System.Runtime.InteropServices;
using UserEmu.Tests.EndToEnd;
using UserEmu.Tests.TestSupport;
using Xunit;

// Not UserEmu.Tests.Signals: that would hide UserEmu.Engine.Signals from the other test folders.
namespace UserEmu.Tests.SignalPrograms;

/// <summary>Freestanding programs using signal handlers, masks, waits, timers and default actions give the native output and wait status.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class SignalProgramTests
{
    /// <summary>Builds a program with -O2 and compares it with native, the native tier's threshold set to <paramref name="nativeThreshold"/>.</summary>
    static CommandResult SameAsNativeWithNativeThreshold(string program, string nativeThreshold) =>
        NativeOracle.AssertSameAsNative(GuestProgram.Build(program, "-O2", "-w"), [],
            env: new Dictionary<string, string> { ["USEREMU_NATIVE_THRESHOLD"] = nativeThreshold });

    [Fact]
    public void SegvHandlerEditsTheContextToSkipTheFault()
    {
        var r = GuestProgram.SameAsNative("Signals/Programs/segv_skip.c");
        Assert.Contains("after=1234", r.Stdout);
        Assert.Contains("addr=16", r.Stdout);
    }

    /// <summary>
    /// Faulting loads of every size in hot code, which the native tier makes without a page-table check (the host's
    /// fault is redirected to the load's stub): the signal, si_addr and the final default death match native, with
    /// the default thresholds and with every block native from its first run.
    /// </summary>
    [Theory]
    [InlineData("32")]
    [InlineData("0")]
    public void FaultingLoadsInNativeCodeRaiseSegvAtTheFaultingAddress(string nativeThreshold)
    {
        var r = SameAsNativeWithNativeThreshold("Signals/Programs/segv_native_loads.c", nativeThreshold);
        Assert.Equal(139, r.ExitStatus);
        Assert.Contains("size 8 round 299: signal 11 at base+4096", r.Stdout);
    }

    /// <summary>
    /// Faulting stores of every size in hot code, which the native tier leaves to the host's page protection (only
    /// pages of translated code are checked, the next page too): signals, si_addr, a page-crossing store that lands
    /// nothing, and a store crossing into a page of code that then runs rewritten; as native, as above.
    /// </summary>
    [Theory]
    [InlineData("32")]
    [InlineData("0")]
    public void FaultingStoresInNativeCodeRaiseSegvAndStoresIntoCodeAreSeen(string nativeThreshold)
    {
        var r = SameAsNativeWithNativeThreshold("Signals/Programs/segv_native_stores.c", nativeThreshold);
        Assert.Equal(139, r.ExitStatus);
        Assert.Contains("first page kept: 1", r.Stdout);
        Assert.Contains("answer now 42", r.Stdout);
    }

    /// <summary>
    /// A file mapping touched past the file's end, by hot loads and stores (native code's unchecked accesses fault with
    /// the host's SIGBUS there) and by write(2): SIGBUS with BUS_ADRERR at the access, EFAULT, the page usable once
    /// the file has grown (for loads and for write(2)), SIGSEGV for a PROT_NONE page, and death by SIGBUS (135); as
    /// native, with the default thresholds and with every block native from its first run.
    /// </summary>
    [Theory]
    [InlineData("32")]
    [InlineData("0")]
    public void FileMappingPastItsEndRaisesSigbus(string nativeThreshold)
    {
        var r = SameAsNativeWithNativeThreshold("Signals/Programs/sigbus_past_eof.c", nativeThreshold);
        Assert.Equal(135, r.ExitStatus);
        Assert.Contains("load round 199: signal 7 code 2 at base+4104", r.Stdout);
        Assert.Contains("store round 49: signal 7 code 2 at base+8204", r.Stdout);
        Assert.Contains("errno 14", r.Stdout);
        Assert.Contains("write of a page the file has grown into: 16", r.Stdout);
    }

    /// <summary>ITIMER_PROF and ITIMER_VIRTUAL fire on the process's CPU time, getitimer reports what is left, an unknown timer is EINVAL, a forked child inherits no interval timer.</summary>
    [Fact]
    public void CpuTimeIntervalTimersFire()
    {
        var r = GuestProgram.SameAsNative("Signals/Programs/cpu_itimers.c", ["-static", "-O1"]);
        Assert.Contains("ITIMER_PROF: fired three times\nITIMER_VIRTUAL: fired three times\nCLOCK_PROCESS_CPUTIME_ID timer: fired three times\n", r.Stdout);
        Assert.Contains("child: no timers\nparent: still armed\n", r.Stdout);
    }

    /// <summary>Itimers survive an execve: the exec'd program finds them armed and dies of the SIGALRM (they had been lost).</summary>
    [Fact]
    public void IntervalTimersSurviveExec()
    {
        var r = GuestProgram.SameAsNative("Signals/Programs/itimers_exec.c", ["-static", "-O1"]);
        Assert.Equal("again: real armed, interval 0; prof armed, interval 7\n", r.Stdout);
        Assert.Equal(128 + 14, r.ExitCode);
    }

    [Fact]
    public void SegvWithoutHandlerKillsWithStatus139() => Assert.Equal(139, GuestProgram.SameAsNative("Signals/Programs/segv_default.c").ExitCode);

    [Fact]
    public void DivideByZeroWithoutHandlerKillsWithStatus136() => Assert.Equal(136, GuestProgram.SameAsNative("Signals/Programs/fpe_default.c").ExitCode);

    [Fact]
    public void FpeHandlerSeesIntDivAndSkipsTheDivision() =>
        Assert.Contains("result=77", GuestProgram.SameAsNative("Signals/Programs/fpe_handler.c").Stdout);

    [Fact]
    public void KillToSelfWithSiginfoNodeferResethandThenDefaultDeath()
    {
        var r = GuestProgram.SameAsNative("Signals/Programs/kill_self.c");
        Assert.Equal(138, r.ExitCode);
        Assert.Contains("nested=3", r.Stdout);
    }

    [Fact]
    public void SigaltstackCatchesASmashedStack() =>
        Assert.Contains("recovered", GuestProgram.SameAsNative("Signals/Programs/altstack.c").Stdout);

    [Fact]
    public void AlarmInterruptsAReadOrRestartsItWithSaRestart()
    {
        var r = GuestProgram.SameAsNative("Signals/Programs/alarm_read.c");
        Assert.Contains("read_eintr=-4", r.Stdout);
        Assert.Contains("read_restarted=1", r.Stdout);
    }

    [Fact]
    public void SigtimedwaitSigqueueAndSigsuspend()
    {
        var r = GuestProgram.SameAsNative("Signals/Programs/sigwait.c");
        Assert.Contains("si_value=4242", r.Stdout);
        Assert.Contains("mask_restored=1", r.Stdout);
    }

    [Fact]
    public void TgkillToAnotherThreadInterruptsItsFutexWait() =>
        Assert.Contains("futex_wait=-4", GuestProgram.SameAsNative("Signals/Programs/thread_signal.c").Stdout);

    [Fact]
    public void PosixTimerSendsItsSignalPeriodically() =>
        Assert.Contains("value=777", GuestProgram.SameAsNative("Signals/Programs/timers.c").Stdout);

    [Fact]
    public void BrokenPipeRaisesSigpipeThenKillsWithStatus141() =>
        Assert.Equal(141, GuestProgram.SameAsNative("Signals/Programs/sigpipe.c").ExitCode);

    [Fact]
    public void ForkLoopsUnderASigchldHandlerNeverHang()
    {
        // Four at once, to load the machine: before SIGCHLD was forwarded by a thread of our own, about one run in
        // nine hung in a forked child (a runtime lock held by a thread-pool thread at the fork). Alone, a run takes
        // about 2 s; the limit is for a machine busy with the rest of the suite.
        string exe = GuestProgram.Build("Signals/Programs/fork_sigchld_loop.c", "-O2");
        string native = GuestProgram.RunNative(exe).ToString();
        var runs = Enumerable.Range(0, 4).Select(_ => Task.Run(() => GuestProgram.RunEmulated(exe, TimeSpan.FromSeconds(150)))).ToArray();
        foreach (var run in runs) Assert.Equal(native, run.Result.ToString());
    }

    [Fact]
    public void Dup2OntoTheEmulatorsDescriptorsKeepsSignalsAndFilesApart() =>
        Assert.Contains("handler ran 3 times, stray bytes 0", GuestProgram.SameAsNative("Signals/Programs/dup2_over_high_fds.c", ["-O2"]).Stdout);

    [LibraryImport("libc")]
    private static partial int kill(int pid, int sig);

    [Fact]
    public void SigintSentToTheEmulatorReachesTheGuestHandler()
    {
        // Sent once the program has said it is ready (its handler is installed), and again until it has ended.
        static void SendSigint(System.Diagnostics.Process p, Func<string> printed)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < deadline && !p.HasExited && !printed().Contains("ready")) Thread.Sleep(20);
            while (DateTime.UtcNow < deadline && !p.HasExited)
            {
                kill(p.Id, 2);
                Thread.Sleep(200);
            }
        }
        string exe = GuestProgram.Build("Signals/Programs/sigint_wait.c", GuestProgram.Freestanding);
        var r = GuestProgram.RunEmulated(exe, whileRunning: SendSigint);
        Assert.Equal("ready\npause=-4\ngot=2\n", r.Stdout);
        Assert.Equal(0, r.ExitCode);
    }
}
