using System.Text.RegularExpressions;
using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>cmps reads [RDI] before [RSI]: when both fault, si_addr is RDI's, as on Intel hosts (rep and single, both directions, split pages).</summary>
/// <remarks>Which of two faulting operands is reported is the CPU's choice (AMD hosts report RSI's): the host may name either.</remarks>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public partial class CmpsOrderTests
{
    [GeneratedRegex(@"^(?<name>.*): fault at hole(?<at>[-+]\d+) \(rsi hole(?<si>[-+]\d+), rdi hole(?<di>[-+]\d+)\)$")]
    private static partial Regex BothCanFault();

    [Fact]
    public void BothOperandsFaultingReportsRdi()
    {
        var emulated = GuestProgram.SameAsNative("Cpu/Programs/cmps_order.c", ["-static", "-O1"], (native, emu) =>
        {
            var n = BothCanFault().Match(native);
            var e = BothCanFault().Match(emu);
            return n.Success && e.Success && n.Groups["name"].Value == e.Groups["name"].Value
                && n.Groups["si"].Value == e.Groups["si"].Value && n.Groups["di"].Value == e.Groups["di"].Value
                && n.Groups["at"].Value == n.Groups["si"].Value && e.Groups["at"].Value == e.Groups["di"].Value;
        });
        Assert.Contains("both in hole b: fault at hole+20 ", emulated.Stdout);
        // UserEmu reports RDI's address whenever both operands fault.
        foreach (Match m in emulated.Stdout.Split('\n').Select(l => BothCanFault().Match(l)).Where(m => m.Success))
            Assert.Equal(m.Groups["di"].Value, m.Groups["at"].Value);
    }
}
