using UserEmu.Engine;
using Xunit;

namespace UserEmu.Tests.Syscalls;

/// <summary>clone, futex, signal waits, restart rules and timers through the bridge, on one vCPU (no guest code).</summary>
public sealed unsafe class ThreadSignalSyscallTests : IDisposable
{
    const ulong S = SyscallFixture.Scratch;
    const int EINVAL = 22, EAGAIN = 11, ETIMEDOUT = 110, ENOSYS = 38, EINTR = 4, EPERM = 1, EDEADLK = 35;
    const int FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_LOCK_PI = 6, FUTEX_UNLOCK_PI = 7, FUTEX_TRYLOCK_PI = 8, FUTEX_WAIT_BITSET = 9;

    readonly SyscallFixture _g = new();

    public void Dispose() => _g.Dispose();

    [Fact]
    public void CloneRefusesInconsistentFlags()
    {
        const ulong VM = 0x100, SIGHAND = 0x800, THREAD = 0x10000;
        Assert.Equal(-EINVAL, _g.Call("clone", THREAD | VM, 0, 0, 0, 0));        // CLONE_THREAD needs CLONE_SIGHAND
        Assert.Equal(-EINVAL, _g.Call("clone", SIGHAND, 0, 0, 0, 0));            // CLONE_SIGHAND needs CLONE_VM
        Assert.Equal(-EINVAL, _g.Call("clone3", S, 8));                          // smaller than CLONE_ARGS_SIZE_VER0
    }

    [Fact]
    public void FutexWaitChecksTheValueAndTimesOut()
    {
        _g.Memory.Write32(S, 7);
        Assert.Equal(-EAGAIN, _g.Call("futex", S, FUTEX_WAIT, 8, 0));
        _g.Memory.Write64(S + 16, 0);
        _g.Memory.Write64(S + 24, 5_000_000); // 5 ms, relative
        Assert.Equal(-ETIMEDOUT, _g.Call("futex", S, FUTEX_WAIT, 7, S + 16));
        Assert.Equal(-EINVAL, _g.Call("futex", S, FUTEX_WAIT_BITSET, 7, 0, 0, 0)); // empty bitset
        Assert.Equal(-EINVAL, _g.Call("futex", S + 2, FUTEX_WAIT, 7, 0));         // unaligned
        Assert.Equal(0, _g.Call("futex", S, FUTEX_WAKE, 1));
    }

    [Fact]
    public void FutexPiLockProtocolOnOneThread()
    {
        uint tid = (uint)_g.Cpu.Tid;
        _g.Memory.Write32(S, 0);
        Assert.Equal(0, _g.Call("futex", S, FUTEX_TRYLOCK_PI, 0));
        Assert.Equal(tid, _g.Memory.Read32(S));
        Assert.Equal(-EDEADLK, _g.Call("futex", S, FUTEX_LOCK_PI, 0));
        Assert.Equal(0, _g.Call("futex", S, FUTEX_UNLOCK_PI, 0));
        Assert.Equal(0U, _g.Memory.Read32(S));
        Assert.Equal(-EPERM, _g.Call("futex", S, FUTEX_UNLOCK_PI, 0));
    }

    [Fact]
    public void AQueuedSignalInterruptsAFutexWaitAndAsksForARestartRule()
    {
        _g.Memory.Write32(S, 0);
        _g.Cpu.Enqueue(new GuestSignalInfo(Signals.SIGUSR1, 0));
        Assert.Equal(-EINTR, _g.Call("futex", S, FUTEX_WAIT, 0, 0));
        // futex without a timeout is ERESTARTSYS: restarted after an SA_RESTART handler, EINTR after another.
        Assert.Equal(SyscallRestart.UnlessHandlerWithoutRestart, _g.Cpu.PendingRestart);
        Assert.True(_g.Cpu.SignalPending);
    }

    [Fact]
    public void SigpendingAndSigtimedwaitOnBlockedSignals()
    {
        _g.Cpu.SignalMask = 1UL << (Signals.SIGUSR2 - 1);
        _g.Process.Signals.QueueToProcess(new GuestSignalInfo(Signals.SIGUSR2, -1, 0, 1, 2, 99), _g.Cpu);
        Assert.Equal(0, _g.Call("rt_sigpending", S, 8));
        Assert.Equal(1UL << (Signals.SIGUSR2 - 1), _g.Memory.Read64(S));
        _g.Memory.Write64(S, 1UL << (Signals.SIGUSR2 - 1));
        Assert.Equal(Signals.SIGUSR2, _g.Call("rt_sigtimedwait", S, S + 0x100, 0, 8));
        Assert.Equal(99UL, _g.Memory.Read64(S + 0x100 + 24)); // si_value
        _g.Memory.Write64(S + 16, 0);
        _g.Memory.Write64(S + 24, 1_000_000);
        Assert.Equal(-EAGAIN, _g.Call("rt_sigtimedwait", S, 0, S + 16, 8));
    }

    [Fact]
    public void PosixTimerCountsDownAndIsDeleted()
    {
        Assert.Equal(0, _g.Call("timer_create", 1, 0, S));
        int id = (int)_g.Memory.Read32(S);
        _g.Memory.Write64(S + 16, 0);          // interval 0
        _g.Memory.Write64(S + 24, 0);
        _g.Memory.Write64(S + 32, 100);        // value 100 s
        _g.Memory.Write64(S + 40, 0);
        Assert.Equal(0, _g.Call("timer_settime", (ulong)id, 0, S + 16, 0));
        Assert.Equal(0, _g.Call("timer_gettime", (ulong)id, S + 64));
        ulong sec = _g.Memory.Read64(S + 64 + 16);
        Assert.InRange(sec, 98UL, 99UL);
        Assert.Equal(0, _g.Call("timer_delete", (ulong)id));
        Assert.Equal(-EINVAL, _g.Call("timer_delete", (ulong)id));
        Assert.Equal(0, _g.Call("alarm", 50));
        Assert.Equal(50, _g.Call("alarm", 0));
    }
}
