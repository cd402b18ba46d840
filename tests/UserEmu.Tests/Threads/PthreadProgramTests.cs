using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Threads;

/// <summary>Static glibc programs using pthreads and signals, built at test time, give the native output and exit status.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PthreadProgramTests
{
    static readonly string[] Glibc = ["-static", "-O1", "-pthread"];

    static ProgramResult SameAsNative(string source) => GuestProgram.SameAsNative(source, Glibc);

    [Fact]
    public void MutexCondvarRwlockBarrierTlsCancellationPiAndRobustMutexes()
    {
        var r = SameAsNative("Threads/Programs/pthreads.c");
        Assert.Contains("shared=64000 atomic=2016000 readers=64 tls_bad=0", r.Stdout);
        Assert.Contains("robust_lock=EOWNERDEAD", r.Stdout);
    }

    [Fact]
    public void SiglongjmpFromFaultsAlarmPthreadKillAndDeathBySigterm()
    {
        var r = SameAsNative("Signals/Programs/libc_signals.c");
        Assert.Contains("fpe recovered: 8", r.Stdout);
        Assert.Equal(143, r.ExitCode);
    }

    /// <summary>A thread spinning in native code with no system call takes a signal another thread sends it and lets that thread fork: both need it back in its dispatcher (its state's interrupt word).</summary>
    [Fact]
    public void ASpinningThreadTakesASignalAndLetsAnotherThreadFork()
    {
        var r = SameAsNative("Threads/Programs/spin_interrupts.c");
        Assert.Equal("usr1: handled in the spinning thread\nfork: child exited 7\nspinner: stopped after some passes\n", r.Stdout);
    }

    [Fact]
    public void TimerCreateWithSigevThreadAndSigevThreadId()
    {
        var r = SameAsNative("Signals/Programs/libc_timers.c");
        Assert.Equal("sigev_thread fired=5\nthread_id timer on main=1\n", r.Stdout);
    }
}
