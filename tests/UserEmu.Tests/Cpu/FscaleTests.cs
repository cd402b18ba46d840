using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>fscale by ±0 leaves ST(0) alone, also a denormal with underflow unmasked, as the host does.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class FscaleTests
{
    [Fact]
    public void ScalingADenormalByZeroRaisesOnlyDenormal() =>
        Assert.Contains("y=0 sw=3002 r=0000:6491c33e6ee7d44c", GuestProgram.SameAsNative("Cpu/Programs/fscale_zero.c", ["-static", "-O1"]).Stdout);
}
