using Iced.Intel;
using UserEmu.Frontend.X86;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>The code names written at build time (UserEmu.Generators) are the ones reflection gives for the Iced in use.</summary>
public class IcedCodeNamesTests
{
    [Fact]
    public void GeneratedNamesAreTheEnumNamesByValue()
    {
        var codes = Enum.GetValues<Code>();
        Assert.Equal(IcedCodeNames.CodeCount, codes.Length);
        foreach (var code in codes) Assert.Equal(code.ToString(), IcedCodeNames.Names[(int)code]);
        Assert.Equal(IcedCodeNames.MnemonicCount, Enum.GetValues<Mnemonic>().Max(m => (int)m) + 1);
    }

    [Fact]
    public void TryParseFindsACodeByNameAndNothingElse()
    {
        Assert.True(IcedCodeNames.TryParse("Addps_xmm_xmmm128", out var code));
        Assert.Equal(Code.Addps_xmm_xmmm128, code);
        Assert.False(IcedCodeNames.TryParse("Addps_xmm_ymm", out _));
        foreach (var each in Enum.GetValues<Code>())
        {
            Assert.True(IcedCodeNames.TryParse(each.ToString(), out var parsed));
            Assert.Equal(each, parsed);
        }
    }
}
