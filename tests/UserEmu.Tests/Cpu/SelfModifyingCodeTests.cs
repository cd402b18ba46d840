using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>Rewritten guest code runs in its new version, whatever tier its old version had reached (native code chained directly or through the jump table, a compiled region).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class SelfModifyingCodeTests
{
    [Fact]
    public void HotGeneratedCodeRewrittenBetweenRunsRunsTheNewBytes()
    {
        var r = GuestProgram.SameAsNative("Cpu/Programs/smc_hot.c", ["-static", "-O1"]);
        Assert.Contains("version 4: indirect 1200000000 direct 1200300000 loop 1200000", r.Stdout);
    }
}
