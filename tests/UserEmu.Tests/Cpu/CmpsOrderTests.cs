using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>cmps reads [RDI] before [RSI]: when both fault, si_addr is RDI's, as on the host (rep and single, both directions, split pages).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class CmpsOrderTests
{
    [Fact]
    public void BothOperandsFaultingReportsRdi() =>
        Assert.Contains("both in hole b: fault at hole+20",
            GuestProgram.SameAsNative("Cpu/Programs/cmps_order.c", ["-static", "-O1"]).Stdout);
}
