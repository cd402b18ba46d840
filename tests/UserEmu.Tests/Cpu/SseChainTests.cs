using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>SSE results that native code keeps in host XMM registers stay right through loads, stores and partial writes of the same guest registers.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class SseChainTests
{
    [Fact]
    public void ChainedSseResultsMatchNative()
    {
        var r = GuestProgram.SameAsNative("Cpu/Programs/sse_chains.c", ["-static", "-O1"]);
        Assert.Contains("sum ", r.Stdout);
    }
}
