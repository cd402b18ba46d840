using UserEmu.Tests.EndToEnd;
using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.ProcessModel;

/// <summary>Futexes whose waiter and waker are different guest processes (shared memory), against the native run.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class SharedFutexTests
{
    /// <summary>A pshared mutex and condition, a named semaphore, and a robust mutex whose owner process dies holding it.</summary>
    [Fact]
    public void WaitersAndWakersInDifferentProcesses()
    {
        string exe = GuestProgram.Build("Process/Programs/shared_futex.c", "-O2", "-pthread", "-w");
        var r = NativeOracle.AssertSameAsNative(exe, [], timeoutMs: 120_000);
        Assert.Contains("robust lock: EOWNERDEAD", r.Stdout);
    }
}
