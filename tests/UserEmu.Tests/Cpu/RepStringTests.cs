using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>rep movs and rep stos, which native code runs as the host's own instruction, leave memory and RCX/RSI/RDI as natively, faults partway included.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class RepStringTests
{
    [Fact]
    public void RepMovsAndStosMatchNative()
    {
        var r = GuestProgram.SameAsNative("Cpu/Programs/rep_string.c", ["-static", "-O1"]);
        Assert.Contains("fault at +4096", r.Stdout);
    }
}
