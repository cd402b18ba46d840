using Iced.Intel;
using Xunit;
using Xunit.Abstractions;
using static Iced.Intel.Mnemonic;

namespace UserEmu.Tests.Cpu.X87;

/// <summary>The 16-bit-operand (0x66) x87 environment forms against the host: fnstenv/fldenv (14 bytes) and fnsave/frstor (94 bytes).</summary>
/// <remarks>
/// FIP/FDP are compared where both sides know them: after a fldenv/frstor, whose values fnstenv/fnsave store back
/// (16-bit fields, FOP dropped). Straight after the harness's fxrstor the host's FIP is whatever x87 instruction ran
/// last (AMD's fxrstor does not load it), so those cases zero bytes 6..13 (FIP, FCS, FDP, FDS) after the store.
/// </remarks>
public class X87Environment16Tests(ITestOutputHelper output)
{
    static bool Small(Code c) => c.ToString().EndsWith("m14byte") || c.ToString().EndsWith("m94byte");

    static MemoryOperand At(int disp) => new(Register.RBX, disp);

    void Run(int seed, Action<X87CaseBuilder> add)
    {
        var t = new DifferentialTester(seed);
        add(new X87CaseBuilder(t));
        IntegerDifferentialTests.Check(t, output);
    }

    /// <summary>fnstenv/fstenv/fnsave/fsave of random FPU states, FIP/FDP fields cleared afterwards.</summary>
    [Fact]
    public void StoreForms() => Run(6801, b =>
    {
        var clear = Instruction.Create(Code.Mov_rm64_imm32, At(6), 0);
        foreach (var code in DifferentialTester.FormsOf(Fnstenv, Fstenv, Fnsave, Fsave).Where(Small))
            for (int k = 0; k < 150; k++) b.Tester.Add(b.Case(b.Build(code), clear));
    });

    /// <summary>fldenv/frstor of random images: the loaded FPU state.</summary>
    [Fact]
    public void LoadForms() => Run(6802, b =>
    {
        foreach (var code in DifferentialTester.FormsOf(Fldenv, Frstor).Where(Small))
            for (int k = 0; k < 150; k++) b.Tester.Add(b.Case(b.Build(code)));
    });

    /// <summary>Load then store in both layouts: FIP/FDP (and FOP, which a 16-bit load clears) as the host keeps them.</summary>
    [Fact]
    public void LoadThenStore() => Run(6803, b =>
    {
        for (int k = 0; k < 200; k++)
        {
            b.Tester.Add(NoSelectors(b.Case(Instruction.Create(Code.Fldenv_m14byte, At(0)), Instruction.Create(Code.Fnstenv_m14byte, At(0x40)),
                Instruction.Create(Code.Fnstenv_m28byte, At(0x60)), Instruction.Create(Code.Fnsave_m94byte, At(0x80)))));
            b.Tester.Add(NoSelectors(b.Case(Instruction.Create(Code.Frstor_m94byte, At(0)), Instruction.Create(Code.Fnstenv_m28byte, At(0x60)),
                Instruction.Create(Code.Fnsave_m94byte, At(0x80)))));
            b.Tester.Add(NoSelectors(b.Case(Instruction.Create(Code.Fldenv_m28byte, At(0)), Instruction.Create(Code.Fnstenv_m14byte, At(0x40)),
                Instruction.Create(Code.Fnstenv_m28byte, At(0x60)))));
        }
    });

    /// <summary>
    /// FCS and FDS of the stored images (+0x40 and +0x80: 14-byte layout, +0x60: 28-byte) are not compared: CPUs with
    /// CPUID.7.0:EBX[13] (Intel) store them as zero, as UserEmu does; AMD stores the selectors fldenv/frstor loaded.
    /// </summary>
    static CpuTestCase NoSelectors(CpuTestCase c)
    {
        foreach (int at in (int[])[0x48, 0x4c, 0x70, 0x78, 0x88, 0x8c]) c.IgnoreData(X87CaseBuilder.Operand + (ulong)at, 2);
        return c;
    }
}
