using Iced.Intel;
using Xunit;
using Xunit.Abstractions;
using static Iced.Intel.Mnemonic;

namespace UserEmu.Tests.Cpu;

/// <summary>
/// rcpps/rcpss/rsqrtps/rsqrtss: CPUs differ in their approximation tables, so results are checked against the exact
/// value with the SDM's bound (relative error at most 1.5*2^-12), special values exactly, everything else against the CPU.
/// </summary>
public unsafe class SseApproximationTests(ITestOutputHelper output)
{
    const double Bound = 1.5 / 4096;

    [Fact]
    public void ReciprocalsWithinTolerance()
    {
        var harness = NativeHarness.Instance;
        if (harness == null)
        {
            output.WriteLine($"skipped: {NativeHarness.UnavailableReason}");
            return;
        }
        var t = new DifferentialTester(201);
        var g = new SseFloatCases(t);
        var o = new SseCaseOptions { Format = SseLaneFormat.Single };
        foreach (var m in new[] { Rcpps, Rcpss, Rsqrtps, Rsqrtss })
        {
            g.Add([m], 200, o);
            g.Add([m], 50, o with { Memory = true });
        }
        var cases = t.Cases;
        var native = harness.Run(cases);
        using var emu = new EmulatorRunner();
        var failures = new List<string>();
        int lanes = 0;
        for (int k = 0; k < cases.Count; k++)
        {
            var c = cases[k];
            var block = emu.Translate(c);
            foreach (var backend in EmulatorRunner.AllBackends)
            {
                var r = emu.Run(c, block, backend);
                int dst = c.Insn.Op0Register - Iced.Intel.Register.XMM0;
                bool rsqrt = c.Insn.Mnemonic is Rsqrtps or Rsqrtss;
                int n = c.Insn.Mnemonic is Rcpss or Rsqrtss ? 1 : 4;
                byte[] src = SourceBytes(c);
                for (int i = 0; i < 4; i++)
                {
                    uint cpu = Lane(native[k].State, dst, i);
                    uint got = Lane(r.State, dst, i);
                    bool ok = i >= n ? got == cpu : Acceptable(BitConverter.ToUInt32(src, 4 * i), cpu, got, rsqrt);
                    lanes++;
                    if (!ok) failures.Add($"{c.Describe()} [{backend}] lane {i}: src {BitConverter.ToUInt32(src, 4 * i):x8} cpu {cpu:x8} emu {got:x8}");
                }
                if (r.State.Mxcsr != native[k].State.Mxcsr) failures.Add($"{c.Describe()} [{backend}] mxcsr cpu {native[k].State.Mxcsr:x} emu {r.State.Mxcsr:x}");
            }
        }
        output.WriteLine($"{failures.Count} failures in {lanes} lanes");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(30)));
    }

    static uint Lane(CpuSnapshot s, int reg, int lane) => BitConverter.ToUInt32(new ReadOnlySpan<byte>(s.Xmm + reg * 16 + 4 * lane, 4));

    static unsafe byte[] SourceBytes(CpuTestCase c)
    {
        var insn = c.Insn;
        if (insn.Op1Kind == Iced.Intel.OpKind.Register)
        {
            int s = insn.Op1Register - Iced.Intel.Register.XMM0;
            var b = new byte[16];
            for (int i = 0; i < 16; i++) b[i] = c.Initial.Xmm[s * 16 + i];
            return b;
        }
        ulong ea = insn.MemoryDisplacement64 + c.Initial.Gpr[insn.MemoryBase.GetFullRegister() - Iced.Intel.Register.RAX];
        var m = new byte[16];
        int size = insn.Mnemonic is Rcpss or Rsqrtss ? 4 : 16;
        Array.Copy(c.Data, (int)(ea - CpuTestLayout.DataBase), m, 0, size);
        return m;
    }

    /// <summary>Specials (NaN, zero, infinity, denormal inputs, flushed tiny results) exactly as the CPU; the rest within the bound.</summary>
    static bool Acceptable(uint src, uint cpu, uint emu, bool rsqrt)
    {
        float x = BitConverter.UInt32BitsToSingle(src);
        float fc = BitConverter.UInt32BitsToSingle(cpu), fe = BitConverter.UInt32BitsToSingle(emu);
        if (float.IsNaN(fc) || float.IsInfinity(fc) || fc == 0 || float.IsNaN(x) || float.IsInfinity(x) || x == 0 || float.IsSubnormal(x))
            return cpu == emu;
        double exact = rsqrt ? 1 / Math.Sqrt(x) : 1.0 / x;
        if (Math.Abs(exact) < 1.1754943508222875e-38 * 1.001) return fe == 0 || Math.Abs(fe - exact) <= Bound * Math.Abs(exact);
        return Math.Abs(fe - exact) <= Bound * Math.Abs(exact) && Math.Abs(fc - exact) <= Bound * Math.Abs(exact);
    }
}
