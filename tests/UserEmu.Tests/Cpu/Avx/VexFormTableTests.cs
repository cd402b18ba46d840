using Iced.Intel;
using UserEmu.Frontend.X86;
using Xunit;

namespace UserEmu.Tests.Cpu.Avx;

/// <summary>The VEX encodings lowered through their legacy SSE emitters map to the right legacy form and shape.</summary>
public class VexFormTableTests
{
    [Theory]
    [InlineData(Code.VEX_Vaddps_ymm_ymm_ymmm256, Code.Addps_xmm_xmmm128, true, true)]
    [InlineData(Code.VEX_Vaddss_xmm_xmm_xmmm32, Code.Addss_xmm_xmmm32, true, false)]
    [InlineData(Code.VEX_Vsqrtps_xmm_xmmm128, Code.Sqrtps_xmm_xmmm128, false, false)]
    [InlineData(Code.VEX_Vpsllw_ymm_ymm_imm8, Code.Psllw_xmm_imm8, true, true)]
    [InlineData(Code.VEX_Vpsllw_ymm_ymm_xmmm128, Code.Psllw_xmm_xmmm128, true, true)]
    [InlineData(Code.VEX_Vpshufd_ymm_ymmm256_imm8, Code.Pshufd_xmm_xmmm128_imm8, false, true)]
    [InlineData(Code.VEX_Vpinsrb_xmm_xmm_r32m8_imm8, Code.Pinsrb_xmm_r32m8_imm8, true, false)]
    public void MapsToLegacyForm(Code vex, Code legacy, bool nds, bool ymm)
    {
        Assert.True(VexLegacyForms.TryGet(vex, out var form));
        Assert.Equal(new VexLegacyForms.Form(legacy, nds, ymm), form);
    }

    [Theory]
    [InlineData(Code.VEX_Vptest_ymm_ymmm256)]
    [InlineData(Code.VEX_Vpmovmskb_r32_ymm)]
    [InlineData(Code.VEX_Vcvtps2pd_ymm_xmmm128)]
    [InlineData(Code.VEX_Vaesenc_ymm_ymm_ymmm256)]
    public void NonLanewiseFormsAreNotMapped(Code vex) => Assert.False(VexLegacyForms.TryGet(vex, out _));

    [Fact]
    public void EmitterTableBuilds() => Assert.NotNull(X86EmitterTable.Default[Mnemonic.Vaddps]);

    /// <summary>Every VEX encoding of AVX, AVX2, FMA and F16C (alone or with AES/PCLMULQDQ) has an emitter: the CPU models advertise them.</summary>
    [Fact]
    public void EveryAvx2FmaF16cEncodingHasAnEmitter()
    {
        var table = X86EmitterTable.Default;
        HashSet<CpuidFeature> advertised = [CpuidFeature.AVX, CpuidFeature.AVX2, CpuidFeature.FMA, CpuidFeature.F16C, CpuidFeature.AES, CpuidFeature.PCLMULQDQ];
        var missing = new List<Code>();
        foreach (var code in Enum.GetValues<Code>())
        {
            if (!code.ToString().StartsWith("VEX_", StringComparison.Ordinal)) continue;
            var features = code.CpuidFeatures();
            if (!features.All(advertised.Contains) || !features.Any(f => f is CpuidFeature.AVX or CpuidFeature.AVX2 or CpuidFeature.FMA or CpuidFeature.F16C)) continue;
            var m = code.Mnemonic();
            bool generic = InstEmitVexSse.IsGeneric(m)
                || (InstEmitVexSse.IsGeneric128(m) && !code.ToString().Contains("ymm"));
            bool lowered = VexLegacyForms.TryGet(code, out var form) && table[form.Legacy.Mnemonic()] != null;
            if (table[m] == null || (generic && !lowered)) missing.Add(code);
        }
        Assert.True(missing.Count == 0, "no emitter: " + string.Join(", ", missing));
    }

    /// <summary>EVEX (AVX-512) forms share mnemonics with VEX ones but are never advertised: SIGILL, never a scratch slot for XMM16+.</summary>
    [Theory]
    [InlineData(Code.EVEX_Vaddps_zmm_k1z_zmm_zmmm512b32_er)]
    [InlineData(Code.EVEX_Vmovaps_xmm_k1z_xmmm128)]
    [InlineData(Code.EVEX_Vpaddd_ymm_k1z_ymm_ymmm256b32)]
    public void EvexFormsRaiseSigill(Code code)
    {
        var fuzzer = new InstructionFuzzer(new Random(5));
        var insn = code.ToOpCode().OpCount == 2
            ? Instruction.Create(code, Register.XMM17, Register.XMM18)
            : code.ToString().Contains("zmm")
                ? Instruction.Create(code, Register.ZMM0, Register.ZMM1, Register.ZMM2)
                : Instruction.Create(code, Register.YMM17, Register.YMM1, Register.YMM2);
        var c = fuzzer.Finish(insn, fuzzer.RandomState(), fuzzer.RandomData(64))!;
        Assert.Equal(EncodingKind.EVEX, c.Insn.Encoding);
        using var emu = new EmulatorRunner();
        var r = emu.Run(c, emu.Translate(c), EmulatorRunner.Backend.Interpreter);
        Assert.Equal(UserEmu.Engine.Signals.SIGILL, r.State.Signal);
    }
}
