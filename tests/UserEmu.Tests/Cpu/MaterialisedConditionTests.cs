using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>Conditions read in the block that materialised the flags (ucomisd, sahf, bt, stc...), interpreted and native.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class MaterialisedConditionTests
{
    [Fact]
    public void EveryConditionAfterInstructionsThatSetAllFlagsAtOnceMatchesNative()
    {
        // The frontend tests the flag bits themselves (X86Emitter.FromEflags) rather than the lazy state.
        var r = GuestProgram.SameAsNative("Cpu/Programs/materialised_conditions.c", ["-static", "-O1"]);
        Assert.Contains("ucomisd ", r.Stdout);
    }
}
