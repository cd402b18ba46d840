using Iced.Intel;
using Xunit;
using Xunit.Abstractions;
using static Iced.Intel.Mnemonic;

namespace UserEmu.Tests.Cpu;

/// <summary>Differential tests of the 0x67 address-size prefix: memory operands, string instructions, loop/jecxz and lea with 32-bit addressing.</summary>
/// <remarks>
/// Memory forms are the other suites' cases rewritten by <see cref="Addr32Cases.Rewrite"/> (32-bit registers with
/// garbage high halves, displacements that wrap at 4 GiB); the string and loop cases have 64-bit twins.
/// </remarks>
public unsafe class Addr32DifferentialTests(ITestOutputHelper output)
{
    const int PerForm = 4;

    void Check(DifferentialTester t) => IntegerDifferentialTests.Check(t, output);

    /// <summary>The 0x67 variants of the memory cases <paramref name="add"/> generates (with another seed than the other suites).</summary>
    static DifferentialTester Rewritten(int seed, Action<DifferentialTester> add)
    {
        var source = new DifferentialTester(seed);
        add(source);
        var t = new DifferentialTester(seed + 1);
        Addr32Cases.AddRewritten(t, source);
        return t;
    }

    static void AddMemory(DifferentialTester t, Mnemonic[] ms, Func<CaseEditor, bool>? fixup = null, bool lockToo = false)
    {
        // Segment register moves are not generated (selectors are SIGILL to load).
        var rm = DifferentialTester.FormsOf(ms).Where(c => DifferentialTester.HasRm(c) && !c.ToString().Contains("Sreg")).ToList();
        t.AddForms(rm, PerForm, new FuzzOptions { Memory = true, Fixup = fixup, ReadOnlyChance = 0.1 });
        if (lockToo)
            t.AddForms(rm.Where(c => c.ToOpCode().CanUseLockPrefix), PerForm, new FuzzOptions { Memory = true, Lock = true, Fixup = fixup });
    }

    [Fact]
    public void IntegerMemoryForms() => Check(Rewritten(6701, t =>
    {
        AddMemory(t, [Add, Sub, Adc, Sbb, And, Or, Xor, Inc, Dec, Neg, Not, Cmp, Test, Xchg, Xadd, Mov, Movzx, Movsx, Movsxd], lockToo: true);
        AddMemory(t, [Shl, Sal, Shr, Sar, Rol, Ror, Rcl, Rcr], IntegerFixups.ShiftCount);
        AddMemory(t, [Shld, Shrd], IntegerFixups.DoubleShift);
        AddMemory(t, [Mul, Imul]);
        AddMemory(t, [Div, Idiv], IntegerFixups.Divide);
        AddMemory(t, [Bt, Bts, Btr, Btc], IntegerFixups.BitOffset, lockToo: true);
        AddMemory(t, [Bsf, Bsr, Tzcnt, Lzcnt, Popcnt, Movbe, Crc32, Andn, Bextr, Blsi, Blsr, Bzhi, Pdep, Pext, Rorx, Sarx, Shlx, Shrx, Mulx, Adcx, Adox]);
        AddMemory(t, [Cmpxchg], IntegerFixups.Cmpxchg, lockToo: true);
        var wide = DifferentialTester.FormsOf(Cmpxchg8b, Cmpxchg16b).ToList();
        t.AddForms(wide, PerForm * 2, new FuzzOptions { Memory = true, Align = 16, Fixup = IntegerFixups.CmpxchgWide });
        AddMemory(t, [Push, Pop, Setb, Sete, Setl, Cmovb, Cmove, Cmovl]);
    }));

    /// <summary>lea with 32-bit addressing: the address is computed modulo 2^32 whatever the destination size.</summary>
    [Fact]
    public void Lea() => Check(Rewritten(6702, t => t.AddForms(DifferentialTester.FormsOf(Mnemonic.Lea), 60, new FuzzOptions { Memory = true })));

    [Fact]
    public void StringInstructions()
    {
        var t = new DifferentialTester(6703);
        Addr32Cases.Strings(t, 12);
        Check(t);
    }

    [Fact]
    public void LoopAndJecxz()
    {
        var t = new DifferentialTester(6704);
        Addr32Cases.Loops(t, 40);
        Check(t);
    }

    /// <summary>A sample of SSE and x87 memory forms with 32-bit addressing.</summary>
    [Fact]
    public void SseAndX87MemoryForms() => Check(Rewritten(6705, t =>
    {
        var sse = new SseCaseGenerator(t);
        sse.AddAll([Movdqu, Movdqa, Movups, Movaps, Movss, Movq, Movd, Paddd, Pshufb, Pcmpeqb, Pmovmskb, Addps, Mulsd, Divss,
            Cvtsi2sd, Cvttsd2si, Pinsrw, Pextrw, Comisd, Maxps, Sqrtpd, Pcmpistri, Pcmpestri, Ldmxcsr, Stmxcsr], PerForm);
        new X87CaseBuilder(t).AddForms(PerForm * 3, Fld, Fst, Fstp, Fild, Fistp, Fisttp, Fadd, Fmul, Fdivr, Fcom, Ficom, Fbld, Fbstp, Fnstcw, Fldcw, Fnstsw);
    }));
}
