using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>Calls and rets that a return-stack predictor gets wrong still go where the guest says (native code pairs guest calls with host calls and rets).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class CallReturnTests
{
    [Fact]
    public void UnpairedCallsAndReturnsGoWhereTheGuestSays()
    {
        var r = GuestProgram.SameAsNative("Cpu/Programs/call_return.c", ["-static", "-O1"]);
        Assert.Contains("skipped 2000000 get-pc 0", r.Stdout);
    }
}
