using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>Precise flags in the signal frame of a fault that follows a compare in native code.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class FaultFlagsTests
{
    [Fact]
    public void AFaultAfterACompareShowsTheCompareFlags()
    {
        var r = GuestProgram.SameAsNative("Cpu/Programs/fault_flags.c", ["-O1"]);
        Assert.Contains("fault at 4199", r.Stdout);
    }
}
