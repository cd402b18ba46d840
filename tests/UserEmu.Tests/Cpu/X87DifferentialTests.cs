using Iced.Intel;
using Xunit;
using Xunit.Abstractions;
using static Iced.Intel.Mnemonic;

namespace UserEmu.Tests.Cpu;

/// <summary>Differential tests of the x87 FPU against the host CPU: edge-case operands, random control words, tags and pending exceptions.</summary>
public class X87DifferentialTests(ITestOutputHelper output)
{
    const int PerForm = 300;

    void Run(int seed, Action<X87CaseBuilder> add)
    {
        var t = new DifferentialTester(seed);
        add(new X87CaseBuilder(t));
        IntegerDifferentialTests.Check(t, output);
    }

    [Fact]
    public void Arithmetic() => Run(1, b => b.AddForms(PerForm, Fadd, Faddp, Fiadd, Fsub, Fsubp, Fisub, Fsubr, Fsubrp, Fisubr,
        Fmul, Fmulp, Fimul, Fdiv, Fdivp, Fidiv, Fdivr, Fdivrp, Fidivr));

    [Fact]
    public void LoadsAndStores() => Run(2, b => b.AddForms(PerForm, Fld, Fild, Fbld, Fst, Fstp, Fist, Fistp, Fisttp, Fbstp,
        Fld1, Fldz, Fldpi, Fldl2e, Fldl2t, Fldlg2, Fldln2));

    [Fact]
    public void Compares() => Run(3, b => b.AddForms(PerForm, Fcom, Fcomp, Fcompp, Fucom, Fucomp, Fucompp, Ficom, Ficomp, Ftst,
        Fcomi, Fcomip, Fucomi, Fucomip, Fxam));

    /// <summary>Compare-and-branch as compilers emit it: fcomi/fucomi then setcc in the same block; fnstsw ax then sahf; fcmov after cmp.</summary>
    [Fact]
    public void CompareThenUseFlags() => Run(7, b =>
    {
        Code[] setcc = [Code.Seta_rm8, Code.Setae_rm8, Code.Setb_rm8, Code.Setbe_rm8, Code.Sete_rm8, Code.Setne_rm8, Code.Setp_rm8, Code.Setnp_rm8];
        foreach (var cmp in DifferentialTester.FormsOf(Fcomi, Fcomip, Fucomi, Fucomip))
            foreach (var set in setcc)
                for (int k = 0; k < 20; k++)
                    b.Tester.Add(b.Case(b.Build(cmp), Instruction.Create(set, Register.AL)));
        foreach (var cmp in DifferentialTester.FormsOf(Fcom, Fucom, Fucompp, Ftst, Fxam))
            for (int k = 0; k < 40; k++)
                b.Tester.Add(b.Case(b.Build(cmp), Instruction.Create(Code.Fnstsw_AX, Register.AX), Instruction.Create(Code.Sahf),
                    Instruction.Create(Code.Setbe_rm8, Register.CL)));
        foreach (var mov in DifferentialTester.FormsOf(Fcmovb, Fcmove, Fcmovnbe, Fcmovnu))
            for (int k = 0; k < 40; k++)
                b.Tester.Add(b.Case(Instruction.Create(Code.Cmp_rm64_r64, Register.RAX, Register.RDX), b.Build(mov)));
    });

    [Fact]
    public void StackAndControl() => Run(4, b => b.AddForms(60, Fxch, Ffree, Fincstp, Fdecstp, Fnop, Wait, Fninit, Fnclex,
        Fchs, Fabs, Fcmovb, Fcmove, Fcmovbe, Fcmovu, Fcmovnb, Fcmovne, Fcmovnbe, Fcmovnu, Fnstsw, Fnstcw, Fldcw));

    /// <summary>fnstenv/fnsave (then FIP, FCS:FOP, FDP, FDS zeroed: CPUs differ there), fldenv/frstor of random images.</summary>
    [Fact]
    public void EnvironmentAndSave() => Run(6, b =>
    {
        var clear = new[]
        {
            Instruction.Create(Code.Mov_rm64_imm32, new MemoryOperand(Register.RBX, 12), 0),
            Instruction.Create(Code.Mov_rm64_imm32, new MemoryOperand(Register.RBX, 20), 0),
        };
        // The 32-bit layouts (m28/m108); the 16-bit ones (0x66 prefix) are in X87/X87Environment16Tests.
        static bool Wide(Code c) => c.ToString().EndsWith("m28byte") || c.ToString().EndsWith("m108byte");
        foreach (var code in DifferentialTester.FormsOf(Fnstenv, Fstenv, Fnsave, Fsave).Where(Wide))
            for (int k = 0; k < 100; k++) b.Tester.Add(b.Case([b.Build(code), .. clear]));
        foreach (var code in DifferentialTester.FormsOf(Fldenv, Frstor).Where(Wide))
            for (int k = 0; k < 100; k++) b.Tester.Add(b.Case(b.Build(code)));
    });

    [Fact]
    public void SqrtRoundScale() => Run(5, b => b.AddForms(PerForm * 2, Fsqrt, Frndint, Fscale, Fxtract, Fprem, Fprem1));
}
