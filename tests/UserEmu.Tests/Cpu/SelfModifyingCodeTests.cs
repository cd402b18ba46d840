using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>Rewritten guest code runs in its new version, whatever tier its old version had reached (native code chained directly or through the jump table, a compiled region).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class SelfModifyingCodeTests
{
    [Fact]
    public void HotGeneratedCodeRewrittenBetweenRunsRunsTheNewBytes()
    {
        var r = GuestProgram.SameAsNative("Cpu/Programs/smc_hot.c", ["-static", "-O1"]);
        Assert.Contains("version 4: indirect 1200000000 direct 1200300000 loop 1200000", r.Stdout);
    }

    /// <summary>An instruction storing into the code after it in its own block: the rest of the block runs the new bytes (the instruction is run again alone, IrInterpreter.RunAlone), interpreted and as native code.</summary>
    [Fact]
    public void StoresIntoTheRunningBlocksLaterCodeTakeEffectAtOnce()
    {
        var r = GuestProgram.SameAsNative("Cpu/Programs/smc_same_block.c", ["-static", "-O1"]);
        Assert.Contains("next: 15000\nfurther: 30000\nown bytes: 33000\nread-modify-write: 15000\n", r.Stdout);
    }

    [Fact]
    public void HotStoresIntoCodePagesLandAndDropTheCodeWithOneThreadOrTwo()
    {
        // Native stores reach code pages by a host fault while the process has one thread (the pages are read-only),
        // by the page-table test once it has two; a page of code moved by mremap must be writable where it lands.
        var r = GuestProgram.SameAsNative("Cpu/Programs/smc_native_stores.c", ["-static", "-O1", "-pthread"]);
        Assert.Contains("one thread: 378876\nafter mremap: 381876\nafter a thread: 384876\n", r.Stdout);
    }
}
