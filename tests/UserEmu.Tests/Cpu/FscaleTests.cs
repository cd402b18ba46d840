using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>fscale by ±0 leaves ST(0) alone, also a denormal with underflow unmasked, as Intel hosts do.</summary>
/// <remarks>AMD hosts take the underflow there (<see cref="UnmaskedUnderflow"/>); the other operands must match either host exactly.</remarks>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class FscaleTests
{
    [Fact]
    public void ScalingADenormalByZeroRaisesOnlyDenormal() =>
        Assert.Contains("y=0 sw=3002 r=0000:6491c33e6ee7d44c",
            GuestProgram.SameAsNative("Cpu/Programs/fscale_zero.c", ["-static", "-O1"], UnmaskedUnderflow.IsAmdsAnswer).Stdout);
}
