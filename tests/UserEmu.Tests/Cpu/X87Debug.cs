using Iced.Intel;
using Xunit;
using Xunit.Abstractions;
using static Iced.Intel.Mnemonic;

namespace UserEmu.Tests.Cpu;

public unsafe class X87Debug(ITestOutputHelper output)
{
    [Fact]
    public void Dump()
    {
        var t = new DifferentialTester(1);
        var b = new X87CaseBuilder(t);
        var cases = new List<CpuTestCase>();
        foreach (var code in DifferentialTester.FormsOf(Fdiv))
            for (int k = 0; k < 300; k++) cases.Add(b.Case(b.Build(code)));
        var native = NativeHarness.Instance!.Run(cases);
        using var emu = new EmulatorRunner();
        int shown = 0;
        for (int k = 0; k < cases.Count && shown < 10; k++)
        {
            var c = cases[k];
            var r = emu.Run(c, emu.Translate(c), EmulatorRunner.Backend.Interpreter);
            var d = DifferentialTester.Compare(c, native[k], r);
            if (d == null) continue;
            shown++;
            output.WriteLine($"{c.Describe()} {d}\n  op={Convert.ToHexString(c.Data, 0x100, 10)} {c.Initial.Format()}");
        }
    }
}
