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
    [InlineData(Code.VEX_Vmovdqa_xmm_xmmm128 + 100000)]
    public void NonLanewiseFormsAreNotMapped(Code vex) => Assert.False(VexLegacyForms.TryGet(vex, out _));

    [Fact]
    public void EmitterTableBuilds() => Assert.NotNull(X86EmitterTable.Default[Mnemonic.Vaddps]);
}
