using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>SSE results native code has not stored yet are in the signal frame of a fault later in the block.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class XmmDirtyFaultTests
{
    [Fact]
    public void AFaultAfterSseArithmeticShowsItsResults()
    {
        var r = GuestProgram.SameAsNative("Cpu/Programs/xmm_dirty_fault.c", ["-O1"]);
        for (int scenario = 0; scenario < 5; scenario++) Assert.Contains($"scenario {scenario} pass 2999:", r.Stdout);
    }
}
