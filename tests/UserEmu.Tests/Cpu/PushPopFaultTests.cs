using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>A run of pushes or pops faulting at each position in native code shows the RSP, registers and memory it shows natively.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class PushPopFaultTests
{
    [Fact]
    public void APushOrPopThatFaultsLeavesRspAtItsOwnSlot()
    {
        var r = GuestProgram.SameAsNative("Cpu/Programs/push_pop_fault.c", ["-O1"]);
        Assert.Contains("pop k=5 rsp=page+4096", r.Stdout);
        Assert.Contains("push k=5 rsp=page+4096", r.Stdout);
    }
}
