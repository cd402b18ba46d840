using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>The 0x67 address-size prefix on lea and loop/loope/loopne (found by QEMU's tests/tcg test-i386).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class Addr32Tests
{
    [Fact]
    public void LeaWrapsAt4GiBAndLoopCountsInEcx()
    {
        var r = GuestProgram.SameAsNative("Cpu/Programs/addr32.c", ["-static", "-O1"]);
        Assert.Contains("lea -10(ecx,ecx,2) = 0000000000000002", r.Stdout);
        Assert.Contains("loop ecx: zf=0 taken=0 rcx=0000000000000000", r.Stdout);
    }
}
