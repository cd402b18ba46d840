using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>Conditions and flags of an op set earlier in the block, across a vector helper call and after lahf, whose CcOp native code then takes as a constant.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class FlagsAfterHelperTests
{
    [Fact]
    public void ConditionsAfterAHelperCallMatchTheNativeRun()
    {
        var r = GuestProgram.SameAsNative("Cpu/Programs/flags_after_helper.c", ["-O1"]);
        Assert.Contains("shl64 ", r.Stdout);
    }
}
