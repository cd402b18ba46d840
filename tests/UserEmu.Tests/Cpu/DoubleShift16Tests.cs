using Iced.Intel;
using Xunit;
using Xunit.Abstractions;

namespace UserEmu.Tests.Cpu;

/// <summary>16-bit shld/shrd over every count 0-31, register and memory, CL and imm8.</summary>
/// <remarks>
/// OF and AF are masked for counts above 1 (<see cref="FlagRules"/>): the host's values there follow no rule found.
/// Counts 17-31 leave the result and flags undefined in the SDM and vendors differ (Intel: A:B:A), so there only the
/// rest of the state is compared (<see cref="FlagRules.UndefinedDestination"/>).
/// </remarks>
public class DoubleShift16Tests(ITestOutputHelper output)
{
    [Fact]
    public void EveryCountMatchesTheHost()
    {
        var t = new DifferentialTester(6901);
        Code[] forms =
        [
            Code.Shld_rm16_r16_imm8, Code.Shld_rm16_r16_CL, Code.Shrd_rm16_r16_imm8, Code.Shrd_rm16_r16_CL,
        ];
        foreach (var code in forms)
            foreach (bool memory in (bool[])[false, true])
                for (int count = 0; count < 32; count++)
                {
                    int n = count;
                    var o = new FuzzOptions
                    {
                        Memory = memory,
                        // CL: the count with random bits above the five that count; imm8: the count itself.
                        Fixup = e => e.Insn.Op2Kind == OpKind.Register
                            ? Set(e, (ulong)(n | e.Rng.Next(8) << 5))
                            : (e.Insn.GetImmediate(2) & 31) == (ulong)n,
                    };
                    t.AddGenerated(code, 6, () => t.Fuzzer.Generate(code, o));
                }
        IntegerDifferentialTests.Check(t, output);
    }

    static bool Set(CaseEditor e, ulong cl)
    {
        e.Set(Register.CL, cl);
        return true;
    }
}
