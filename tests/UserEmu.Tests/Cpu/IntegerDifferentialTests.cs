using Iced.Intel;
using Xunit;
using Xunit.Abstractions;
using static Iced.Intel.Mnemonic;

namespace UserEmu.Tests.Cpu;

/// <summary>Differential tests of the general-purpose integer ISA against the host CPU: every form, random operands and flags.</summary>
public class IntegerDifferentialTests(ITestOutputHelper output)
{
    const int PerForm = 14;

    /// <summary>Runs the tester; without a native harness (no gcc, not x86-64) the test passes with a note.</summary>
    void Check(DifferentialTester t)
    {
        if (NativeHarness.Instance == null)
        {
            output.WriteLine($"skipped: {NativeHarness.UnavailableReason}");
            return;
        }
        Assert.Empty(t.Ungenerated);
        var report = t.Run();
        output.WriteLine(report.Summary(0));
        Assert.True(report.Failures.Count == 0, report.Summary());
    }

    /// <summary>Adds register and memory variants (and LOCK variants when <paramref name="lockToo"/>) of every form.</summary>
    static void AddAll(DifferentialTester t, Mnemonic[] ms, Func<CaseEditor, bool>? fixup = null, bool lockToo = false, int perForm = PerForm)
    {
        var forms = DifferentialTester.FormsOf(ms).ToList();
        t.AddForms(forms, perForm, new FuzzOptions { Fixup = fixup });
        var rm = forms.Where(DifferentialTester.HasRm).ToList();
        t.AddForms(rm, perForm, new FuzzOptions { Memory = true, Fixup = fixup, ReadOnlyChance = 0.1 });
        if (lockToo)
            t.AddForms(rm.Where(c => c.ToOpCode().CanUseLockPrefix), perForm / 2, new FuzzOptions { Memory = true, Lock = true, Fixup = fixup, ReadOnlyChance = 0.1 });
    }

    [Fact]
    public void Shifts()
    {
        var t = new DifferentialTester(1);
        AddAll(t, [Shl, Sal, Shr, Sar, Rol, Ror, Rcl, Rcr]);
        Check(t);
    }
}
