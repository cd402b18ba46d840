using System.Text;
using UserEmu.Engine;
using UserEmu.Host;
using Xunit;

namespace UserEmu.Tests.Syscalls;

/// <summary>Process, signal, time and system-information calls through the bridge.</summary>
public sealed unsafe class ProcessSyscallTests : IDisposable
{
    const ulong S = SyscallFixture.Scratch;
    const int EINVAL = 22, EPERM = 1, ENOMEM = 12, ESRCH = 3;

    readonly SyscallFixture _g = new();

    public void Dispose() => _g.Dispose();

    [Fact]
    public void UnameReportsX86_64()
    {
        Assert.Equal(0, _g.Call("uname", S));
        Assert.Equal("Linux", _g.ReadString(S, 5));
        Assert.Equal("x86_64\0", _g.ReadString(S + 4 * 65, 7));
    }

    [Fact]
    public void ClockGettimeMonotonicAdvances()
    {
        Assert.Equal(0, _g.Call("clock_gettime", 1 /* CLOCK_MONOTONIC */, S));
        long t0 = (long)_g.Memory.Read64(S) * 1_000_000_000 + (long)_g.Memory.Read64(S + 8);
        Thread.Sleep(2);
        Assert.Equal(0, _g.Call("clock_gettime", 1, S));
        long t1 = (long)_g.Memory.Read64(S) * 1_000_000_000 + (long)_g.Memory.Read64(S + 8);
        Assert.True(t1 > t0);
        Assert.True(_g.Memory.Read64(S + 8) < 1_000_000_000);
        Assert.Equal(-EINVAL, _g.Call("clock_gettime", 12345, S));
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange(_g.Call("time", 0), now - 2, now + 2);
        Assert.Equal(0, _g.Call("gettimeofday", S, 0));
        Assert.InRange((long)_g.Memory.Read64(S), now - 2, now + 2);
    }

    /// <summary>Setting and adjusting clocks reach the host's (without changing them here): a monotonic clock cannot be set, a NULL settimeofday does nothing, a timex with no modes only reads the clock's state.</summary>
    [Fact]
    public void ClockSettingCallsReachTheHost()
    {
        const int EFAULT = 14, CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1;
        Assert.Equal(0, _g.Call("clock_gettime", CLOCK_MONOTONIC, S));
        Assert.Equal(-EINVAL, _g.Call("clock_settime", CLOCK_MONOTONIC, S));
        Assert.Equal(-EFAULT, _g.Call("clock_settime", CLOCK_REALTIME, 8));
        Assert.Equal(0, _g.Call("settimeofday", 0, 0));
        // struct timex: modes (0: read only) first; the result is the clock state (TIME_OK .. TIME_ERROR), and the
        // call writes the timex back (its tick, at offset 0x58, is the host's: 10000 us at 100 Hz, never 0).
        _g.Memory.Write64(S, 0);
        long state = _g.Call("adjtimex", S);
        Assert.InRange(state, 0, 5);
        Assert.NotEqual(0UL, _g.Memory.Read64(S + 0x58));
        Assert.InRange(_g.Call("clock_adjtime", CLOCK_REALTIME, S), 0, 5);
    }

    [Fact]
    public void IdsComeFromTheHost()
    {
        Assert.Equal(Environment.ProcessId, _g.Call("getpid"));
        Assert.Equal(Environment.ProcessId, _g.Call("gettid"));
        Assert.True(_g.Call("getppid") > 0);
        Assert.True(_g.Call("getuid") >= 0);
        Assert.Equal(0, _g.Call("getresuid", S, S + 4, S + 8));
        Assert.Equal((uint)_g.Call("getuid"), _g.Memory.Read32(S));
    }

    [Fact]
    public void SetTidAddressAndRobustList()
    {
        Assert.Equal(Environment.ProcessId, _g.Call("set_tid_address", 0x123450));
        Assert.Equal(0x123450UL, _g.Cpu.ClearChildTid);
        Assert.Equal(-EINVAL, _g.Call("set_robust_list", S, 16));
        Assert.Equal(0, _g.Call("set_robust_list", S + 0x40, 24));
        Assert.Equal(0, _g.Call("get_robust_list", 0, S, S + 8));
        Assert.Equal(S + 0x40, _g.Memory.Read64(S));
        Assert.Equal(24UL, _g.Memory.Read64(S + 8));
        Assert.Equal(-ESRCH, _g.Call("get_robust_list", 1, S, S + 8));
    }

    [Fact]
    public void ArchPrctlSetsAndGetsSegmentBases()
    {
        Assert.Equal(0, _g.Call("arch_prctl", 0x1002 /* ARCH_SET_FS */, 0x7000_1000));
        Assert.Equal(0x7000_1000UL, _g.Cpu.State->FsBase);
        Assert.Equal(0, _g.Call("arch_prctl", 0x1001 /* ARCH_SET_GS */, 0x1234));
        Assert.Equal(0, _g.Call("arch_prctl", 0x1003 /* ARCH_GET_FS */, S));
        Assert.Equal(0x7000_1000UL, _g.Memory.Read64(S));
        Assert.Equal(0, _g.Call("arch_prctl", 0x1004, S));
        Assert.Equal(0x1234UL, _g.Memory.Read64(S));
        Assert.Equal(-EPERM, _g.Call("arch_prctl", 0x1002, 0x8000_0000_0000));
        Assert.Equal(-EINVAL, _g.Call("arch_prctl", 0x1011 /* ARCH_GET_CPUID */, 0));
    }

    [Fact]
    public void RtSigactionStoresAndReturnsTheGuestAction()
    {
        ulong act = S, old = S + 0x40;
        _g.Memory.Write64(act, 0x401000);          // handler
        _g.Memory.Write64(act + 8, 0x04000004);    // SA_RESTORER | SA_SIGINFO
        _g.Memory.Write64(act + 16, 0x401100);     // restorer
        _g.Memory.Write64(act + 24, (1UL << 8) | (1UL << 1)); // mask SIGKILL (dropped) and SIGINT
        Assert.Equal(0, _g.Call("rt_sigaction", 10, act, old, 8));
        Assert.Equal(0UL, _g.Memory.Read64(old)); // SIG_DFL before
        ref var stored = ref _g.Process.Signals.Actions[10];
        Assert.Equal(0x401000UL, stored.Handler);
        Assert.Equal(1UL << 1, stored.Mask);
        Assert.Equal(0, _g.Call("rt_sigaction", 10, 0, old, 8));
        Assert.Equal(0x401100UL, _g.Memory.Read64(old + 16));
        Assert.Equal(-EINVAL, _g.Call("rt_sigaction", 9, act, 0, 8));
        Assert.Equal(-EINVAL, _g.Call("rt_sigaction", 10, act, 0, 4));
        Assert.Equal(-EINVAL, _g.Call("rt_sigaction", 65, 0, old, 8));
    }

    [Fact]
    public void RtSigprocmaskKeepsAPerThreadMask()
    {
        _g.Memory.Write64(S, (1UL << 1) | (1UL << 8));
        Assert.Equal(0, _g.Call("rt_sigprocmask", 0 /* SIG_BLOCK */, S, S + 8, 8));
        Assert.Equal(0UL, _g.Memory.Read64(S + 8));
        Assert.Equal(1UL << 1, _g.Cpu.SignalMask); // SIGKILL cannot be blocked
        _g.Memory.Write64(S, 1UL << 1);
        Assert.Equal(0, _g.Call("rt_sigprocmask", 1 /* SIG_UNBLOCK */, S, S + 8, 8));
        Assert.Equal(0UL, _g.Cpu.SignalMask);
        Assert.Equal(-EINVAL, _g.Call("rt_sigprocmask", 7, S, 0, 8));
    }

    [Fact]
    public void SigaltstackStoresTheGuestStack()
    {
        _g.Memory.Write64(S, 0x50000);
        _g.Memory.Write32(S + 8, 0);
        _g.Memory.Write64(S + 16, 1024);
        Assert.Equal(-ENOMEM, _g.Call("sigaltstack", S, 0));
        _g.Memory.Write64(S + 16, 0x4000);
        Assert.Equal(0, _g.Call("sigaltstack", S, S + 0x20));
        Assert.Equal(2U, _g.Memory.Read32(S + 0x28)); // SS_DISABLE before
        Assert.Equal(0x50000UL, _g.Cpu.AltStackBase);
        _g.Cpu.State->Gpr[4] = 0x52000; // running on it
        Assert.Equal(-EPERM, _g.Call("sigaltstack", S, 0));
        Assert.Equal(0, _g.Call("sigaltstack", 0, S + 0x20));
        Assert.Equal(1U, _g.Memory.Read32(S + 0x28)); // SS_ONSTACK
    }

    [Fact]
    public void KillToSelfQueuesTheGuestSignal()
    {
        Assert.Equal(0, _g.Call("kill", (ulong)Environment.ProcessId, 0));
        Assert.False(_g.Cpu.SignalPending);
        Assert.Equal(0, _g.Call("tgkill", (ulong)Environment.ProcessId, (ulong)Environment.ProcessId, 10));
        Assert.True(_g.Cpu.SignalPending);
        Assert.True(_g.Cpu.TakePending(out var info));
        Assert.Equal(10, info.Signal);
        Assert.Equal(-EINVAL, _g.Call("kill", (ulong)Environment.ProcessId, 99));
        Assert.Equal(-ESRCH, _g.Call("tgkill", (ulong)Environment.ProcessId, 1, 10));
    }

    [Fact]
    public void ExitAndExitGroupEndTheGuest()
    {
        Assert.Equal(3, Assert.Throws<GuestExitException>(() => _g.Call("exit_group", 0x103)).Status);
        Assert.Equal(7, Assert.Throws<GuestExitException>(() => _g.Call("exit", 7)).Status);
    }

    [Fact]
    public void PrctlNamesTheGuest()
    {
        _g.PutString(S, "a-very-long-thread-name");
        Assert.Equal(0, _g.Call("prctl", 15 /* PR_SET_NAME */, S));
        Assert.Equal("a-very-long-thr", _g.Process.Comm);
        Assert.Equal(0, _g.Call("prctl", 16 /* PR_GET_NAME */, S + 0x100));
        Assert.Equal("a-very-long-thr\0", _g.ReadString(S + 0x100, 16));
        Assert.Equal(-EINVAL, _g.Call("prctl", 22 /* PR_SET_SECCOMP */, 2, S));
    }

    [Fact]
    public void ResourceLimitsOfTheEmulatorAreKeptInTheGuestView()
    {
        Assert.Equal(0, _g.Call("prlimit64", 0, 3 /* RLIMIT_STACK */, 0, S));
        ulong hostMax = _g.Memory.Read64(S + 8);
        _g.Memory.Write64(S + 0x20, 1 << 20);
        _g.Memory.Write64(S + 0x28, hostMax);
        Assert.Equal(0, _g.Call("setrlimit", 3, S + 0x20));
        Assert.Equal(0, _g.Call("getrlimit", 3, S + 0x40));
        Assert.Equal(1UL << 20, _g.Memory.Read64(S + 0x40));
        _g.Memory.Write64(S + 0x20, 2);
        _g.Memory.Write64(S + 0x28, 1);
        Assert.Equal(-EINVAL, _g.Call("setrlimit", 3, S + 0x20));
        Assert.Equal(0, _g.Call("getrlimit", 7 /* RLIMIT_NOFILE */, S));
        Assert.True(_g.Memory.Read64(S) > 0);
    }

    [Fact]
    public void SystemInformation()
    {
        Assert.Equal(0, _g.Call("sysinfo", S));
        Assert.True(_g.Memory.Read64(S + 32) > 0); // totalram
        long n = _g.Call("sched_getaffinity", 0, 128, S);
        Assert.True(n > 0 && n % 8 == 0);
        int cpus = 0;
        for (int k = 0; k < n; k++) cpus += System.Numerics.BitOperations.PopCount(_g.Memory.Read8(S + (ulong)k));
        Assert.Equal(Environment.ProcessorCount, cpus);
        Assert.Equal(0, _g.Call("getcpu", S, 0, 0));
        Assert.Equal(32, _g.Call("getrandom", S, 32, 0));
        Assert.True(_g.Call("times", S) > 0);
        Assert.Equal(0, _g.Call("getrusage", 0, S));
        Assert.Equal(0, _g.Call("sched_yield"));
    }

    [Fact]
    public void RseqIsSilentlyUnavailable()
    {
        var err = new StringWriter();
        var saved = HostStderr.Messages;
        HostStderr.Messages = err;
        try
        {
            Assert.Equal(-38, _g.Call("rseq", S, 32, 0, 0x53053053));
        }
        finally
        {
            HostStderr.Messages = saved;
        }
        Assert.DoesNotContain("rseq", err.ToString());
    }
}
