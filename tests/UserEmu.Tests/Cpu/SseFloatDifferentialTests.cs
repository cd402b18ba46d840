using Iced.Intel;
using Xunit;
using Xunit.Abstractions;
using static Iced.Intel.Mnemonic;

namespace UserEmu.Tests.Cpu;

/// <summary>
/// Differential tests of the SSE floating-point ISA against the host CPU: edge-case operands, every rounding mode,
/// DAZ/FTZ, sticky flags, and unmasked exceptions (SIGFPE), through all three execution paths.
/// </summary>
public unsafe class SseFloatDifferentialTests(ITestOutputHelper output)
{
    const int PerForm = 150;

    static readonly SseLaneFormat S = SseLaneFormat.Single, D = SseLaneFormat.Double;

    /// <summary>Register and aligned-memory cases, masked and unmasked, plus a few misaligned ones.</summary>
    static void AddAll(SseFloatCases g, Mnemonic[] ms, SseLaneFormat f, int perForm = PerForm, Func<Random, int>? imm8 = null,
        Func<CaseEditor, bool>? fixup = null)
    {
        g.Add(ms, perForm, new SseCaseOptions { Format = f, Imm8 = imm8, Fixup = fixup });
        g.Add(ms, perForm / 2, new SseCaseOptions { Format = f, Memory = true, Imm8 = imm8, Fixup = fixup });
        g.Add(ms, perForm / 2, new SseCaseOptions { Format = f, UnmaskChance = 0.7, Imm8 = imm8, Fixup = fixup });
        g.Add(ms, 4, new SseCaseOptions { Format = f, Memory = true, Misaligned = true, Imm8 = imm8, Fixup = fixup });
    }

    void Check(DifferentialTester t) => IntegerDifferentialTests.Check(t, output);

    [Fact]
    public void SingleArithmetic()
    {
        var t = new DifferentialTester(101);
        AddAll(new SseFloatCases(t), [Addps, Addss, Subps, Subss, Mulps, Mulss, Divps, Divss, Sqrtps, Sqrtss, Minps, Minss, Maxps, Maxss], S);
        Check(t);
    }

    [Fact]
    public void DoubleArithmetic()
    {
        var t = new DifferentialTester(102);
        AddAll(new SseFloatCases(t), [Addpd, Addsd, Subpd, Subsd, Mulpd, Mulsd, Divpd, Divsd, Sqrtpd, Sqrtsd, Minpd, Minsd, Maxpd, Maxsd], D);
        Check(t);
    }

    [Fact]
    public void Compares()
    {
        var t = new DifferentialTester(103);
        var g = new SseFloatCases(t);
        AddAll(g, [Cmpps, Cmpss, Comiss, Ucomiss], S, imm8: r => r.Next(8));
        AddAll(g, [Cmppd, Cmpsd, Comisd, Ucomisd], D, imm8: r => r.Next(8));
        // Legacy encodings use imm8[2:0] only.
        g.Add([Cmpps, Cmpss], 20, new SseCaseOptions { Format = S });
        g.Add([Cmppd, Cmpsd], 20, new SseCaseOptions { Format = D });
        Check(t);
    }

    [Fact]
    public void Conversions()
    {
        var t = new DifferentialTester(104);
        var g = new SseFloatCases(t);
        AddAll(g, [Cvtss2sd, Cvtps2pd, Cvtss2si, Cvttss2si, Cvtps2dq, Cvttps2dq], S);
        AddAll(g, [Cvtsd2ss, Cvtpd2ps, Cvtsd2si, Cvttsd2si, Cvtpd2dq, Cvttpd2dq], D);
        AddAll(g, [Cvtdq2ps, Cvtdq2pd], SseLaneFormat.Int32);
        AddAll(g, [Cvtsi2ss, Cvtsi2sd], SseLaneFormat.Int64);
        Check(t);
    }

    [Fact]
    public void HorizontalDotAndRound()
    {
        var t = new DifferentialTester(105);
        var g = new SseFloatCases(t);
        AddAll(g, [Haddps, Hsubps, Addsubps], S);
        AddAll(g, [Dpps], S, fixup: SseFloatFixups.DotProduct);
        AddAll(g, [Haddpd, Hsubpd, Addsubpd], D);
        AddAll(g, [Dppd], D, fixup: SseFloatFixups.DotProduct);
        AddAll(g, [Roundps, Roundss], S, imm8: r => r.Next(16));
        AddAll(g, [Roundpd, Roundsd], D, imm8: r => r.Next(16));
        Check(t);
    }

    [Fact]
    public void Shuffles()
    {
        var t = new DifferentialTester(106);
        var g = new SseFloatCases(t);
        AddAll(g, [Shufps, Unpcklps, Unpckhps, Movshdup, Movsldup, Blendps, Blendvps, Insertps, Extractps, Movmskps], S, perForm: 20);
        AddAll(g, [Shufpd, Unpcklpd, Unpckhpd, Blendpd, Blendvpd, Movmskpd], D, perForm: 20);
        Check(t);
    }

    [Fact]
    public void ControlState()
    {
        var t = new DifferentialTester(107);
        var g = new SseFloatCases(t);
        g.Add([Ldmxcsr], 60, new SseCaseOptions { Format = S, Memory = true, Fixup = SseFloatFixups.Ldmxcsr });
        g.Add([Stmxcsr], 30, new SseCaseOptions { Format = S, Memory = true });
        g.Add([Fxsave, Fxsave64], 20, new SseCaseOptions { Format = D, Memory = true, Fixup = SseFloatFixups.Fxsave });
        g.Add([Fxrstor, Fxrstor64], 30, new SseCaseOptions { Format = D, Memory = true, Fixup = SseFloatFixups.Fxrstor });
        g.Add([Fxsave, Fxrstor], 5, new SseCaseOptions { Format = D, Memory = true, Misaligned = true, Fixup = SseFloatFixups.Fxsave });
        Check(t);
    }
}
