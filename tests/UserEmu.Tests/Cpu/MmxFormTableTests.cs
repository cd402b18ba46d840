using Iced.Intel;
using UserEmu.Frontend.X86;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>The MMX form table built from Iced's code names is the one its opcode metadata gives.</summary>
public class MmxFormTableTests
{
    [Fact]
    public void NamesAgreeWithOperandKinds()
    {
        var fromNames = InstEmitMmx.BuildMmxForms();
        int mmx = 0;
        foreach (var code in Enum.GetValues<Code>())
        {
            var op = code.ToOpCode();
            bool hasMm = false;
            for (int i = 0; i < op.OpCount; i++)
                hasMm |= op.GetOpKind(i) is OpCodeOperandKind.mm_reg or OpCodeOperandKind.mm_rm or OpCodeOperandKind.mm_or_mem;
            Assert.True(hasMm == fromNames[(int)code], $"{code}: operand kinds say {hasMm}, the name says {fromNames[(int)code]}");
            if (hasMm) mmx++;
        }
        Assert.True(mmx > 100, $"only {mmx} MMX forms");
    }
}
