using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>maskmovdqu faults as the host does when it runs across a read-only page, whatever its mask selects (found by the 2026-12-01 long differential run).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class MaskmovdquFaultTests
{
    [Fact]
    public void FaultsDependOnThePagesNotOnTheMask() =>
        Assert.Contains("ro=3 pick=3", GuestProgram.SameAsNative("Cpu/Programs/maskmovdqu_fault.c", ["-static", "-O1"]).Stdout);
}
