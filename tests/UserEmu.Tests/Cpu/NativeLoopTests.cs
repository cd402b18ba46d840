using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>Hot loops of one block (native code branching back to itself) compute, fault, take signals, store into code pages and rewrite themselves as natively.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class NativeLoopTests
{
    [Fact]
    public void LoopsRunAsNatively()
    {
        var r = GuestProgram.SameAsNative("Cpu/Programs/native_loops.c", ["-static", "-O1"]);
        Assert.Contains("alarm: stopped the loop", r.Stdout);
        Assert.Contains("fault at +2097152:", r.Stdout);
        Assert.Contains("self-rewriting: 59920", r.Stdout);
    }
}
