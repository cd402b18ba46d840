using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu.Avx;

/// <summary>
/// AVX, AVX2, FMA3, F16C and XSAVE programs against the host CPU (which must have them: it is the oracle): intrinsic
/// coverage of the VEX forms, randomised FMA and F16C rounding, XSAVE images and signal frames, and a -O3
/// -march=x86-64-v3 program with glibc's AVX2 string functions, static and dynamic, under -cpu max and x86-64-v3.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class AvxProgramTests
{
    static void RequireHostAvx2()
    {
        string flags = File.ReadAllText("/proc/cpuinfo");
        Assert.True(flags.Contains(" avx2") && flags.Contains(" fma") && flags.Contains(" f16c"), "the host CPU lacks AVX2/FMA/F16C: it cannot be the oracle");
    }

    static ProgramResult SameAsNative(string source, string[] flags, params string[] emulatorArgs)
    {
        RequireHostAvx2();
        // GuestCompiler puts -lm after the source, which a static link needs.
        var flavor = new BuildFlavor("avx", "gcc", string.Join(' ', flags));
        string exe = GuestCompiler.Build(File.ReadAllText(GuestProgram.Source(source)), flavor);
        var native = GuestProgram.RunNative(exe, TimeSpan.FromSeconds(60));
        var emulated = GuestProgram.Run(GuestProgram.Emulator, [.. emulatorArgs, exe], TimeSpan.FromSeconds(300));
        Assert.Equal(native.ToString(), emulated.ToString());
        return emulated;
    }

    [Fact]
    public void LegacySseMovesAndDoubleShufflesKeepTheUpperLaneAndMisalignedMovapsFaults()
    {
        // Native code makes them one host instruction each (WholeVectorHelpers' legacy bit), storing 16 bytes only.
        var r = SameAsNative("Cpu/Avx/Programs/sse_move_upper.c", ["-static", "-O1", "-mavx2"]);
        Assert.Contains("fault 11", r.Stdout);
    }

    [Fact]
    public void VexFormsMatchTheHost()
    {
        var r = SameAsNative("Cpu/Avx/Programs/vex_forms.c", ["-O1", "-mavx2", "-mfma"]);
        Assert.Contains("gatherd", r.Stdout);
    }

    [Fact]
    public void FmaRoundsOnceLikeTheHost() =>
        Assert.Contains("total", SameAsNative("Cpu/Avx/Programs/fma_random.c", ["-O1", "-mavx2", "-mfma"]).Stdout);

    [Fact]
    public void F16cConvertsLikeTheHost() =>
        Assert.Contains("total", SameAsNative("Cpu/Avx/Programs/f16c_random.c", ["-O1", "-mavx2", "-mf16c"]).Stdout);

    [Fact]
    public void XsaveImagesAndSignalFramesCarryYmm()
    {
        var r = SameAsNative("Cpu/Avx/Programs/xstate.c", ["-O2", "-mavx2", "-mxsave", "-mxsavec"]);
        Assert.Contains("after ymm3 efcdab8967452301bbbbaaaa00009999 5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a", r.Stdout);
    }

    /// <summary>
    /// Whole-register loads, stores and memory compares (host AVX2 instructions on guest memory in native code) that
    /// fault: unmapped, PROT_NONE, crossing into PROT_NONE (a crossing store writes nothing), misaligned vmovdqa.
    /// </summary>
    [Theory]
    [InlineData("4")]
    [InlineData("0")]
    public void WholeVectorAccessFaultsArePrecise(string nativeThreshold)
    {
        var r = SameAsNative("Cpu/Avx/Programs/vector_faults.c", ["-O2", "-mavx2", "-I", GuestProgram.Source("TestSupport/GuestPrograms")], "-native-threshold", nativeThreshold);
        Assert.Contains("store256 round 299: signal 11 code 2 at base+4096", r.Stdout);
        Assert.Contains("aligned256 round 99: signal 11 code 128 at 0", r.Stdout);
        Assert.Contains("crossing stores left the page intact", r.Stdout);
    }

    [Fact]
    public void GatherAndMaskedMoveFaultsArePrecise()
    {
        var r = SameAsNative("Cpu/Avx/Programs/gather_fault.c", ["-O1", "-mavx2"]);
        Assert.Contains("fault at +4100", r.Stdout);
    }

    [Theory]
    [InlineData("-static", "max")]
    [InlineData("-static", "x86-64-v3")]
    [InlineData("-no-pie", "max")]
    [InlineData("-pie", "x86-64-v3")]
    public void MarchV3ProgramMatchesNative(string link, string cpu)
    {
        var r = SameAsNative("Cpu/Avx/Programs/v3_mix.c", ["-O3", "-march=x86-64-v3", link], "-cpu", cpu);
        Assert.Contains("strings", r.Stdout);
    }
}
