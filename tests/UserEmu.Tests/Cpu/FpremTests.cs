using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>fprem/fprem1 of a denormal by ±infinity return it unchanged with only DE, also with underflow unmasked, as Intel hosts do.</summary>
/// <remarks>AMD hosts take the underflow there (<see cref="UnmaskedUnderflow"/>); the other operands must match either host exactly.</remarks>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class FpremTests
{
    [Fact]
    public void DenormalRemainderByInfinityIsTheDenormal() =>
        Assert.Contains("fprem1 y=-inf sw=3002 r=0000:00f597de2e8f4f5a",
            GuestProgram.SameAsNative("Cpu/Programs/fprem_denormal.c", ["-static", "-O1"], UnmaskedUnderflow.IsAmdsAnswer).Stdout);
}
