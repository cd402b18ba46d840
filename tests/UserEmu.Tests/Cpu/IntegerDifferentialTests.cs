using Iced.Intel;
using Xunit;
using Xunit.Abstractions;
using static Iced.Intel.Mnemonic;

namespace UserEmu.Tests.Cpu;

/// <summary>Differential tests of the general-purpose integer ISA against the host CPU: every form, random operands and flags.</summary>
/// <remarks>Each test compares all three execution paths (interpreter, optimised interpreter, IL) with the CPU.</remarks>
public unsafe class IntegerDifferentialTests(ITestOutputHelper output)
{
    const int PerForm = 14;

    /// <summary>Runs the tester; without a native harness (no gcc, not x86-64) the test passes with a note.</summary>
    internal static void Check(DifferentialTester t, ITestOutputHelper output)
    {
        if (NativeHarness.Instance == null)
        {
            output.WriteLine($"skipped: {NativeHarness.UnavailableReason}");
            return;
        }
        Assert.True(t.Ungenerated.Count == 0, $"cannot generate: {string.Join(", ", t.Ungenerated)}");
        var report = t.Run();
        output.WriteLine(report.Summary(0));
        Assert.True(report.Failures.Count == 0, report.Summary());
    }

    void Check(DifferentialTester t) => Check(t, output);

    /// <summary>Adds register and memory variants (and LOCK variants when <paramref name="lockToo"/>) of every form.</summary>
    static void AddAll(DifferentialTester t, Mnemonic[] ms, Func<CaseEditor, bool>? fixup = null, bool lockToo = false, int perForm = PerForm)
    {
        var forms = DifferentialTester.FormsOf(ms).ToList();
        t.AddForms(forms, perForm, new FuzzOptions { Fixup = fixup });
        var rm = forms.Where(DifferentialTester.HasRm).ToList();
        t.AddForms(rm, perForm, new FuzzOptions { Memory = true, Fixup = fixup, ReadOnlyChance = 0.1 });
        if (lockToo)
            t.AddForms(rm.Where(c => c.ToOpCode().CanUseLockPrefix), perForm, new FuzzOptions { Memory = true, Lock = true, Fixup = fixup, ReadOnlyChance = 0.1 });
    }

    [Fact]
    public void Shifts()
    {
        var t = new DifferentialTester(1);
        AddAll(t, [Shl, Sal, Shr, Sar, Rol, Ror, Rcl, Rcr], IntegerFixups.ShiftCount);
        AddAll(t, [Shld, Shrd], IntegerFixups.DoubleShift);
        Check(t);
    }

    [Fact]
    public void MultiplyDivide()
    {
        var t = new DifferentialTester(2);
        AddAll(t, [Mul, Imul], perForm: 24);
        AddAll(t, [Div, Idiv], IntegerFixups.Divide, perForm: 30);
        Check(t);
    }

    [Fact]
    public void BitInstructions()
    {
        var t = new DifferentialTester(3);
        AddAll(t, [Bt, Bts, Btr, Btc], IntegerFixups.BitOffset, lockToo: true);
        AddAll(t, [Bsf, Bsr, Tzcnt, Lzcnt, Popcnt], perForm: 24);
        Check(t);
    }

    [Fact]
    public void ExchangeAndCompare()
    {
        var t = new DifferentialTester(4);
        AddAll(t, [Xadd], lockToo: true);
        AddAll(t, [Cmpxchg], IntegerFixups.Cmpxchg, lockToo: true, perForm: 20);
        var wide = DifferentialTester.FormsOf(Cmpxchg8b, Cmpxchg16b).ToList();
        t.AddForms(wide, 20, new FuzzOptions { Memory = true, Align = 16, Fixup = IntegerFixups.CmpxchgWide, ReadOnlyChance = 0.1 });
        t.AddForms(wide, 20, new FuzzOptions { Memory = true, Lock = true, Align = 16, Fixup = IntegerFixups.CmpxchgWide });
        // Misaligned cmpxchg16b is #GP (SIGSEGV, SI_KERNEL); cmpxchg8b does not care.
        t.AddForms(wide, 10, new FuzzOptions { Memory = true, Fixup = IntegerFixups.CmpxchgWide });
        Check(t);
    }

    /// <summary>The ALU families of other files, including their LOCK forms (same load/op/store today).</summary>
    [Fact]
    public void ArithmeticAndLockedForms()
    {
        var t = new DifferentialTester(5);
        AddAll(t, [Add, Sub, Adc, Sbb, And, Or, Xor, Inc, Dec, Neg, Not, Cmp, Test, Xchg], lockToo: true, perForm: 6);
        Check(t);
    }

    [Fact]
    public void FlagInstructions()
    {
        var t = new DifferentialTester(6);
        AddAll(t, [Lahf, Sahf, Clc, Stc, Cmc, Cld, Std, Pushf, Pushfq], perForm: 20);
        AddAll(t, [Popf, Popfq], IntegerFixups.Popf, perForm: 30);
        Check(t);
    }

    [Fact]
    public void BmiAndAdx()
    {
        var t = new DifferentialTester(7);
        AddAll(t, [Andn, Bextr, Blsi, Blsmsk, Blsr, Bzhi, Pdep, Pext, Rorx, Sarx, Shlx, Shrx, Mulx, Adcx, Adox]);
        Check(t);
    }

    [Fact]
    public void Miscellaneous()
    {
        var t = new DifferentialTester(8);
        AddAll(t, [Bswap, Movbe, Crc32], perForm: 20);
        AddAll(t, [Enter, Leave], IntegerFixups.FramePointer, perForm: 30);
        AddAll(t, [Rdsspd, Rdsspq, Incsspd, Incsspq], perForm: 5); // shadow stacks off: no-ops
        for (int k = 0; k < 30; k++)
        {
            var st = t.Fuzzer.RandomState();
            bool gs = k % 3 == 0;
            var insn = Instruction.Create(Code.Xlat_m8, new MemoryOperand(Register.RBX, Register.AL, 1, 0, 0, false, gs ? Register.GS : Register.None));
            st.Gpr[3] = CpuTestLayout.DataBase + (ulong)t.Rng.Next(700) - (gs ? 0x100UL : 0);
            st.GsBase = gs ? 0x100UL : 0;
            t.Add(t.Fuzzer.Finish(insn, st, t.Fuzzer.RandomData(1024))!);
        }
        Check(t);
    }
}
