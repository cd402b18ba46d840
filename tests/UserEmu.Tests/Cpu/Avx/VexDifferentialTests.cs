using Iced.Intel;
using Xunit;
using Xunit.Abstractions;

namespace UserEmu.Tests.Cpu.Avx;

/// <summary>
/// Differential tests of every VEX form of AVX, AVX2, FMA3, F16C (and VEX AES/PCLMULQDQ) against the host CPU through
/// all three execution paths, with random operands, MXCSR modes, and aligned and misaligned memory operands
/// (see <see cref="VexCaseGenerator"/>). Gathers are covered by the program tests.
/// </summary>
public class VexDifferentialTests(ITestOutputHelper output)
{
    /// <summary>Cases per form and memory variant: 6 in CI; USEREMU_VEX_PER_FORM runs the long version on demand.</summary>
    static readonly int PerForm = int.TryParse(Environment.GetEnvironmentVariable("USEREMU_VEX_PER_FORM"), out int n) && n > 0 ? n : 6;

    static IEnumerable<Code> FormsWith(Func<CpuidFeature[], bool> pick) =>
        Enum.GetValues<Code>().Where(c => c.ToString().StartsWith("VEX_", StringComparison.Ordinal) && pick(c.CpuidFeatures()));

    void Run(int seed, IEnumerable<Code> codes, int factor = 1)
    {
        int perForm = PerForm * factor;
        var t = new DifferentialTester(seed);
        var g = new VexCaseGenerator(t);
        var list = codes.ToList();
        g.AddAll(list, perForm);
        output.WriteLine($"{list.Count - g.Unsupported.Count} forms, {t.Count} cases; not generated here: {string.Join(", ", g.Unsupported)}");
        IntegerDifferentialTests.Check(t, output);
    }

    /// <summary>
    /// vrcp*/vrsqrt* are left to <see cref="SseApproximationTests"/>: CPUs differ in their approximation tables, and
    /// the VEX forms run the same helpers as the legacy ones.
    /// </summary>
    static readonly HashSet<Mnemonic> Approximations = [Mnemonic.Vrcpps, Mnemonic.Vrcpss, Mnemonic.Vrsqrtps, Mnemonic.Vrsqrtss];

    [Fact]
    public void Avx() => Run(301, FormsWith(f => f is [CpuidFeature.AVX]).Where(c => !Approximations.Contains(c.Mnemonic())));

    [Fact]
    public void Avx2() => Run(302, FormsWith(f => f is [CpuidFeature.AVX2]));

    [Fact]
    public void Fma() => Run(303, FormsWith(f => f is [CpuidFeature.FMA]), factor: 2);

    [Fact]
    public void F16cAesClmul() => Run(304, FormsWith(f => f.Contains(CpuidFeature.F16C) || (f.Contains(CpuidFeature.AVX) && f.Length == 2 && (f.Contains(CpuidFeature.AES) || f.Contains(CpuidFeature.PCLMULQDQ)))), factor: 2);
}
