using UserEmu.Tests.EndToEnd;
using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.ProcessModel;

/// <summary>pselect, ppoll and epoll_pwait with a signal mask for the wait, against the native run.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class WaitSignalMaskTests
{
    [Fact]
    public void MaskUnblocksAPendingSignalForTheWaitOnly()
    {
        string exe = GuestProgram.Build("Process/Programs/wait_sigmask.c", "-O2", "-w");
        var r = NativeOracle.AssertSameAsNative(exe, [], timeoutMs: 60_000);
        Assert.Contains("pselect: -1 Interrupted system call, handler 17 (SIGUSR1 blocked in it: 1), SIGCHLD blocked after: 1", r.Stdout);
    }
}
