using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>Native access spans checked at one address inside the guest's reservation that run past either end of it fault as natively.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class ReservationEndTests
{
    [Fact]
    public void GroupedAndVectorAccessesPastTheTopFaultAtTheFirstByteBeyondIt()
    {
        var r = GuestProgram.SameAsNative("Cpu/Programs/reservation_end.c", ["-O1"]);
        Assert.Contains("round 0 offset 4088: fault at top+0", r.Stdout);
        Assert.Contains("round 2 offset 4081: fault at top+0", r.Stdout);
        Assert.Contains("round 3 offset 4032: fault at top+0", r.Stdout);
    }

    [Fact]
    public void AccessesBelowTheirBaseThatWrapBelowZeroFaultAtTheirOwnAddress()
    {
        var r = GuestProgram.SameAsNative("Cpu/Programs/reservation_start.c", ["-O1"]);
        Assert.Contains("round 0 base 0: fault at 0xfffffffffffffff8 code 1", r.Stdout);
        Assert.Contains("round 1 base 16: fault at 0xfffffffffffffff8 code 1", r.Stdout);
        Assert.Contains("round 2 base 40: fault at 0x8 code 1", r.Stdout);
    }
}
