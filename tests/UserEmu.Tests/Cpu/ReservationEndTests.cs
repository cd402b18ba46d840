using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>Native access spans that start inside the guest's reservation and run past its end fault as natively.</summary>
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
}
