using Xunit;
using Xunit.Abstractions;
using static Iced.Intel.Mnemonic;

namespace UserEmu.Tests.Cpu;

/// <summary>push/pop with a memory operand, often on a read-only page: a faulting pop leaves RSP unchanged (found by the 0x67 long run).</summary>
public class StackMemoryDifferentialTests(ITestOutputHelper output)
{
    [Fact]
    public void PushAndPopMemoryOperands()
    {
        var source = new DifferentialTester(7001);
        var forms = DifferentialTester.FormsOf(Push, Pop).Where(DifferentialTester.HasRm).ToList();
        source.AddForms(forms, 40, new FuzzOptions { Memory = true, ReadOnlyChance = 0.5 });
        var t = new DifferentialTester(7002);
        foreach (var c in source.Cases) t.Add(c);
        Addr32Cases.AddRewritten(t, source);
        IntegerDifferentialTests.Check(t, output);
    }
}
