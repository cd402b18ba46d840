using Iced.Intel;
using UserEmu.Cpu.X86;
using Xunit;
using Xunit.Abstractions;
using static Iced.Intel.Mnemonic;

namespace UserEmu.Tests.Cpu;

/// <summary>Differential tests of the legacy-encoded SSE integer instructions (SSE2 to SSE4.2, AES-NI, PCLMULQDQ) against the host CPU.</summary>
/// <remarks>
/// Every form in register and memory variants, aligned and misaligned (#GP where the SDM requires alignment),
/// through all three execution paths.
/// </remarks>
[Collection(nameof(AesHelpers))]
public unsafe class SseIntegerDifferentialTests(ITestOutputHelper output)
{
    const int PerForm = 12;

    void Check(DifferentialTester t) => IntegerDifferentialTests.Check(t, output);

    static DifferentialTester Build(int seed, Action<SseCaseGenerator> add)
    {
        var t = new DifferentialTester(seed);
        add(new SseCaseGenerator(t));
        return t;
    }

    [Fact]
    public void AddSubtract() => Check(Build(101, g => g.AddAll(
        [Paddb, Paddw, Paddd, Paddq, Psubb, Psubw, Psubd, Psubq, Paddsb, Paddsw, Paddusb, Paddusw, Psubsb, Psubsw, Psubusb, Psubusw], PerForm)));

    [Fact]
    public void MultiplyAverageSad() => Check(Build(102, g => g.AddAll(
        [Pmullw, Pmulhw, Pmulhuw, Pmuludq, Pmaddwd, Pavgb, Pavgw, Psadbw, Pmulld, Pmuldq], PerForm)));

    [Fact]
    public void MinMax() => Check(Build(103, g => g.AddAll(
        [Pminub, Pmaxub, Pminsw, Pmaxsw, Pminsb, Pminsd, Pmaxsb, Pmaxsd, Pminuw, Pminud, Pmaxuw, Pmaxud], PerForm)));

    [Fact]
    public void Ssse3Arithmetic() => Check(Build(104, g => g.AddAll(
        [Phaddw, Phaddd, Phaddsw, Phsubw, Phsubd, Phsubsw, Pmaddubsw, Pmulhrsw, Pabsb, Pabsw, Pabsd, Psignb, Psignw, Psignd], PerForm)));

    [Fact]
    public void Shifts() => Check(Build(105, g => g.AddAll(
        [Psllw, Pslld, Psllq, Psrlw, Psrld, Psrlq, Psraw, Psrad, Pslldq, Psrldq], PerForm * 2, SseFixups.ShiftCount)));

    [Fact]
    public void CompareAndTest() => Check(Build(106, g =>
    {
        g.AddAll(
        [Pcmpeqb, Pcmpeqw, Pcmpeqd, Pcmpeqq, Pcmpgtb, Pcmpgtw, Pcmpgtd, Pcmpgtq, Pmovmskb, Phminposuw, Mpsadbw], PerForm);
        g.AddAll([Ptest], 40, SseFixups.Ptest);
    }));

    [Fact]
    public void ShuffleUnpackPack() => Check(Build(107, g => g.AddAll(
        [Punpcklbw, Punpcklwd, Punpckldq, Punpcklqdq, Punpckhbw, Punpckhwd, Punpckhdq, Punpckhqdq,
         Packsswb, Packssdw, Packuswb, Packusdw, Pshufd, Pshuflw, Pshufhw, Pshufb, Palignr, Pblendw, Pblendvb], PerForm)));

    [Fact]
    public void ExtendInsertExtract() => Check(Build(108, g => g.AddAll(
        [Pmovsxbw, Pmovsxbd, Pmovsxbq, Pmovsxwd, Pmovsxwq, Pmovsxdq, Pmovzxbw, Pmovzxbd, Pmovzxbq, Pmovzxwd, Pmovzxwq, Pmovzxdq,
         Pinsrb, Pinsrw, Pinsrd, Pinsrq, Pextrb, Pextrw, Pextrd, Pextrq], PerForm, readOnlyChance: 0.2)));

    /// <summary>The moves and bitwise ops of InstEmitSseMove, whose aligned forms share the alignment rule with everything here.</summary>
    [Fact]
    public void MovesAndLogic() => Check(Build(113, g => g.AddAll(
        [Movdqa, Movaps, Movapd, Movntdq, Movntps, Movntpd, Movntdqa, Movdqu, Movups, Movupd, Lddqu, Movd, Movq,
         Pxor, Por, Pand, Pandn], PerForm, readOnlyChance: 0.2)));

    /// <summary>Accesses through non-canonical addresses are #GP (SI_KERNEL, si_addr 0), not page faults.</summary>
    /// <remarks>
    /// Not covered: a 16-byte access that starts canonical (and unmapped) and runs past 0x7fff_ffff_ffff, which the
    /// CPU reports as #GP and UserEmu, doing two 8-byte accesses, as a page fault at its start.
    /// </remarks>
    [Fact]
    public void NonCanonicalAddresses()
    {
        var t = new DifferentialTester(114);
        ulong[] bases = [0x0000_8000_0000_0000, 0x8000_0000_0000_0000, 0xffff_7fff_ffff_fff0, 0x1234_5678_0000_0000];
        foreach (var code in new[] { Code.Movdqu_xmm_xmmm128, Code.Movdqa_xmm_xmmm128, Code.Mov_r64_rm64, Code.Movdqu_xmmm128_xmm })
        {
            foreach (ulong at in bases)
            {
                var st = t.Fuzzer.RandomState();
                st.Gpr[3] = at;
                var mem = new MemoryOperand(Register.RBX);
                var insn = code switch
                {
                    Code.Mov_r64_rm64 => Instruction.Create(code, Register.RAX, mem),
                    Code.Movdqu_xmmm128_xmm => Instruction.Create(code, mem, Register.XMM3),
                    _ => Instruction.Create(code, Register.XMM3, mem),
                };
                t.Add(t.Fuzzer.Finish(insn, st, t.Fuzzer.RandomData(64))!);
            }
        }
        Check(t);
    }

    [Fact]
    public void MaskedStore()
    {
        var t = new DifferentialTester(109);
        new SseCaseGenerator(t).Add(Code.Maskmovdqu_rDI_xmm_xmm, 80, new SseFuzzOptions { Fixup = SseFixups.MaskedStore, ReadOnlyChance = 0.1 });
        Check(t);
    }

    [Fact]
    public void StringCompares() => Check(Build(110, g => g.AddAll(
        [Pcmpestri, Pcmpestri64, Pcmpestrm, Pcmpestrm64, Pcmpistri, Pcmpistrm], 150, SseFixups.StringCompare)));

    [Fact]
    public void AesAndCarrylessMultiply() => Check(Build(111, g => g.AddAll(
        [Aesenc, Aesenclast, Aesdec, Aesdeclast, Aesimc, Aeskeygenassist, Pclmulqdq], PerForm)));

    /// <summary>The portable AES and carry-less multiply code, forced on a host that has the instructions.</summary>
    [Fact]
    public void AesAndCarrylessMultiplySoftware()
    {
        bool aes = AesHelpers.UseHost, clmul = ClmulHelpers.UseHost;
        AesHelpers.UseHost = false;
        ClmulHelpers.UseHost = false;
        try
        {
            Check(Build(112, g => g.AddAll(
                [Aesenc, Aesenclast, Aesdec, Aesdeclast, Aesimc, Aeskeygenassist, Pclmulqdq], PerForm)));
        }
        finally
        {
            AesHelpers.UseHost = aes;
            ClmulHelpers.UseHost = clmul;
        }
    }
}
