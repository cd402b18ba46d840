using System.Text.RegularExpressions;
using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>Hot loops of one block (native code branching back to itself, guest registers held in host registers across; two-piece loops translated as one) compute, fault, take signals, store into code pages and rewrite themselves as natively.</summary>
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

    /// <summary>120 random loops of ALU ops, flag readers, loads, stores and rare side exits, generated at run time, end with the native run's registers, flags and memory.</summary>
    [Fact]
    public void RandomLoopsRunAsNatively()
    {
        var r = GuestProgram.SameAsNative("Cpu/Programs/loop_fuzz.c", ["-static", "-O1", "-mno-red-zone"]);
        Assert.Contains("loop 119:", r.Stdout);
    }

    /// <summary>Loops of two pieces that one block translates (Frontend.X86.LoopTrace): the latch before the head, the head's jcc to the latch, an exit and a fault in the code before the block's start (the signal frame's RIP), and that code rewritten by the loop (a writable page: not traced).</summary>
    [Fact]
    public void LoopTracesRunAsNatively()
    {
        var r = GuestProgram.SameAsNative("Cpu/Programs/loop_traces.c", ["-static", "-O1"]);
        Assert.Contains("rip at the load", r.Stdout);
        Assert.Contains("rewrites code before start: 59900", r.Stdout);
    }

    /// <summary>The program's two-piece loops are translated as loop traces, so the test above covers them.</summary>
    [Fact]
    public void TwoPieceLoopsAreTranslatedAsOneBlock() => Assert.True(StatsCount("Cpu/Programs/loop_traces.c", "loop traces") >= 4);

    /// <summary>-d in_asm lists a loop trace's code before the block's start after the block's own instructions.</summary>
    [Fact]
    public void InAsmListsTheCodeALoopTraceTranslated()
    {
        string exe = GuestProgram.Build("Cpu/Programs/loop_traces.c", "-static", "-O1");
        var r = GuestProgram.Run(GuestProgram.Emulator, ["-d", "in_asm", exe], TimeSpan.FromSeconds(60));
        Assert.Equal(0, r.ExitCode);
        // latch_first's head block: its jne back, then the latch it translated, ending in the jge that leaves the loop.
        Assert.Matches(@"jne 0x0*(?<latch>[0-9A-F]+)\n  \(loop trace:\)\n0x0*(?i:\k<latch>):  add %rdx,", r.Stderr);
    }

    /// <summary>Most of the program's loops keep guest registers in host registers across their back edge (NativeBlockCompiler.LoopCarried.cs), so the test above covers that code.</summary>
    [Fact]
    public void TheLoopsKeepRegistersAcrossTheirBackEdge() => Assert.True(StatsCount("Cpu/Programs/native_loops.c", "loops keeping registers across") >= 8);

    // The number before `label` in the -d stats of the program built from `source`.
    static int StatsCount(string source, string label)
    {
        string exe = GuestProgram.Build(source, "-static", "-O1");
        var r = GuestProgram.Run(GuestProgram.Emulator, ["-d", "stats", exe], TimeSpan.FromSeconds(60));
        Assert.Equal(0, r.ExitCode);
        var m = Regex.Match(r.Stderr, $@"(\d+) {label}");
        Assert.True(m.Success, r.Stderr);
        return int.Parse(m.Groups[1].Value);
    }
}
