using Iced.Intel;
using Xunit;
using Xunit.Abstractions;
using static Iced.Intel.Mnemonic;

namespace UserEmu.Tests.Cpu;

/// <summary>
/// Differential tests of the MMX instructions against the host CPU: results, and the x87 side effects (TOP = 0, tags,
/// exponent bits of written registers, #MF on a pending exception) through the FXSAVE image the tester compares.
/// </summary>
public unsafe class MmxDifferentialTests(ITestOutputHelper output)
{
    const int PerForm = 16;

    void Run(int seed, Action<MmxCaseGenerator> add)
    {
        var t = new DifferentialTester(seed);
        add(new MmxCaseGenerator(t));
        IntegerDifferentialTests.Check(t, output);
    }

    [Fact]
    public void Moves() => Run(201, g => g.AddAll([Movd, Movq, Movntq, Movq2dq, Movdq2q], PerForm * 2));

    [Fact]
    public void AddSubtract() => Run(202, g => g.AddAll(
        [Paddb, Paddw, Paddd, Paddq, Psubb, Psubw, Psubd, Psubq, Paddsb, Paddsw, Paddusb, Paddusw, Psubsb, Psubsw, Psubusb, Psubusw], PerForm));

    [Fact]
    public void MultiplyAverageMinMax() => Run(203, g => g.AddAll(
        [Pmullw, Pmulhw, Pmulhuw, Pmuludq, Pmaddwd, Pavgb, Pavgw, Psadbw, Pminub, Pmaxub, Pminsw, Pmaxsw], PerForm));

    [Fact]
    public void CompareAndLogic() => Run(204, g => g.AddAll(
        [Pcmpeqb, Pcmpeqw, Pcmpeqd, Pcmpgtb, Pcmpgtw, Pcmpgtd, Pand, Pandn, Por, Pxor, Pmovmskb], PerForm));

    [Fact]
    public void Shifts() => Run(205, g => g.AddAll([Psllw, Pslld, Psllq, Psrlw, Psrld, Psrlq, Psraw, Psrad], PerForm * 2));

    [Fact]
    public void UnpackPackShuffle() => Run(206, g => g.AddAll(
        [Punpcklbw, Punpcklwd, Punpckldq, Punpckhbw, Punpckhwd, Punpckhdq, Packsswb, Packssdw, Packuswb, Pshufw, Pinsrw, Pextrw, Maskmovq],
        PerForm));

    [Fact]
    public void Ssse3() => Run(207, g => g.AddAll(
        [Pshufb, Palignr, Phaddw, Phaddd, Phaddsw, Phsubw, Phsubd, Phsubsw, Pmaddubsw, Pmulhrsw, Pabsb, Pabsw, Pabsd, Psignb, Psignw, Psignd],
        PerForm));

    [Fact]
    public void Conversions() => Run(208, g => g.AddAll([Cvtpi2ps, Cvtpi2pd, Cvtps2pi, Cvttps2pi, Cvtpd2pi, Cvttpd2pi], PerForm * 3));

    /// <summary>emms alone, and x87/MMX hand-overs: a load after MMX use, MMX after x87 use, emms between them, #MF between MMX instructions.</summary>
    [Fact]
    public void EmmsAndTransitions() => Run(209, g =>
    {
        var rbx = new MemoryOperand(Register.RBX);
        for (int k = 0; k < 60; k++)
        {
            var mm = Register.MM0 + g.Tester.Rng.Next(8);
            var other = Register.MM0 + g.Tester.Rng.Next(8);
            g.Tester.Add(g.Sequence(Instruction.Create(Code.Emms)));
            g.Tester.Add(g.Sequence(Instruction.Create(Code.Paddw_mm_mmm64, mm, other), Instruction.Create(Code.Emms)));
            g.Tester.Add(g.Sequence(Instruction.Create(Code.Fld1), Instruction.Create(Code.Movq_mm_rm64, mm, Register.RAX)));
            g.Tester.Add(g.Sequence(Instruction.Create(Code.Movq_mm_rm64, mm, Register.RAX), Instruction.Create(Code.Emms),
                Instruction.Create(Code.Fld_m64fp, rbx), Instruction.Create(Code.Fstp_m80fp, rbx)));
            g.Tester.Add(g.Sequence(Instruction.Create(Code.Pxor_mm_mmm64, mm, mm), Instruction.Create(Code.Fstp_m80fp, rbx)));
            // An x87 exception made pending between two MMX instructions of one block is taken by the second (#MF).
            var c = g.Sequence(Instruction.Create(Code.Paddw_mm_mmm64, mm, other), Instruction.Create(Code.Emms),
                Instruction.Create(Code.Fldz), Instruction.Create(Code.Fld1), Instruction.Create(Code.Fdiv_st0_sti, Register.ST0, Register.ST1),
                Instruction.Create(Code.Psubb_mm_mmm64, other, mm), Instruction.Create(Code.Paddb_mm_mmm64, mm, other));
            if (k % 2 == 0)
            {
                // ZE unmasked, and no exception flags yet (an unmasked flag without ES is a state no CPU reaches).
                c.Initial.Fx[0] = 0x7B;
                c.Initial.Fx[2] = 0;
                c.Initial.Fx[3] &= 0x7F;
            }
            g.Tester.Add(c);
        }
    });
}
