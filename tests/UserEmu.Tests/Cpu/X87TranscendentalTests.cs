using System.Text;
using Iced.Intel;
using Xunit;
using Xunit.Abstractions;
using static Iced.Intel.Mnemonic;

namespace UserEmu.Tests.Cpu;

/// <summary>
/// x87 transcendentals against the host CPU. The SDM specifies these within about one ulp, not bit-exactly, so register
/// results may differ by one unit in the last place; C1 (rounded up) reflects the CPU's internal approximation, which
/// flips it for results very close to a representable value, so it is counted but not required to match.
/// </summary>
public unsafe class X87TranscendentalTests(ITestOutputHelper output)
{
    const int PerOp = 400;

    /// <summary>A value m·2^e with a random 64-bit significand and e in [lo, hi].</summary>
    static (ushort, ulong) Value(Random rng, int lo, int hi, bool negativeToo = true)
    {
        ulong mant = (ulong)rng.NextInt64() | 1UL << 63;
        int e = rng.Next(lo, hi + 1);
        bool neg = negativeToo && rng.Next(2) == 0;
        return ((ushort)((neg ? 0x8000 : 0) | (0x3FFF + e)), mant);
    }

    [Theory]
    [InlineData(Fsin)]
    [InlineData(Fcos)]
    [InlineData(Fsincos)]
    [InlineData(Fptan)]
    [InlineData(F2xm1)]
    [InlineData(Fyl2x)]
    [InlineData(Fyl2xp1)]
    [InlineData(Fpatan)]
    public void WithinOneUlp(Mnemonic m) => Run(m, ordinary: true);

    /// <summary>The builder's full state distribution: NaNs, infinities, denormals, unsupported encodings, empty registers, unmasked exceptions.</summary>
    [Theory]
    [InlineData(Fsin)]
    [InlineData(Fcos)]
    [InlineData(Fsincos)]
    [InlineData(Fptan)]
    [InlineData(F2xm1)]
    [InlineData(Fyl2x)]
    [InlineData(Fyl2xp1)]
    [InlineData(Fpatan)]
    public void EdgeOperands(Mnemonic m) => Run(m, ordinary: false);

    void Run(Mnemonic m, bool ordinary)
    {
        if (NativeHarness.Instance == null)
        {
            output.WriteLine($"skipped: {NativeHarness.UnavailableReason}");
            return;
        }
        var t = new DifferentialTester((int)m + (ordinary ? 0 : 1000));
        var b = new X87CaseBuilder(t);
        var rng = t.Rng;
        var code = DifferentialTester.FormsOf(m).Single();
        var cases = new List<CpuTestCase>();
        for (int k = 0; k < PerOp; k++)
        {
            var c = b.Case(b.Build(code));
            (ushort, ulong) x = m switch
            {
                Fsin or Fcos or Fsincos or Fptan => rng.Next(10) switch
                {
                    0 => Value(rng, -70, -20),
                    1 => Value(rng, 20, 62),
                    _ => Value(rng, -3, 12),
                },
                F2xm1 => rng.Next(8) == 0 ? Value(rng, -80, -20) : Value(rng, -12, -1),
                Fyl2x => rng.Next(6) == 0 ? Value(rng, -16000, 16000, false) : Value(rng, -40, 40, false),
                Fyl2xp1 => rng.Next(6) == 0 ? Value(rng, -200, -30) : Value(rng, -30, -3),
                _ => Value(rng, -60, 60),
            };
            var y = Value(rng, -30, 30);
            ushort fcw = (ushort)(0x037F & ~0x0C00 | rng.Next(4) << 10);
            // ST(0) = x, ST(1) = y, the rest empty (so pushes have room).
            if (!ordinary)
            {
                // The SDM leaves f2xm1 outside [-1, 1] and fyl2xp1 outside ±(1 - √2/2) undefined.
                var snap = c.Initial;
                ushort se = BitConverter.ToUInt16(new ReadOnlySpan<byte>(snap.Fx + 40, 2));
                int ex = (se & 0x7FFF) - 0x3FFF;
                if (m == F2xm1 && ex >= 0 && (se & 0x7FFF) != 0x7FFF) continue;
                if (m == Fyl2xp1 && ex >= -2 && (se & 0x7FFF) != 0x7FFF) continue;
                cases.Add(c);
                continue;
            }
            var init = c.Initial;
            X87Snapshot.Set(&init, fcw, 0, 0x03, [x, y]);
            c.Initial = init;
            cases.Add(c);
        }
        var native = NativeHarness.Instance.Run(cases);
        using var emu = new EmulatorRunner();
        int exact = 0, ulp = 0;
        var failures = new List<string>();
        for (int k = 0; k < cases.Count; k++)
        {
            var c = cases[k];
            var r = emu.Run(c, emu.Translate(c), EmulatorRunner.Backend.Interpreter);
            var n = native[k].State;
            var e = r.State;
            string? diff = Diff(&n, &e, out bool oneUlp);
            if (diff == null)
            {
                if (oneUlp) ulp++;
                else exact++;
            }
            else failures.Add($"{c.Describe()}: {diff}\n  initial: {c.Initial.Format()}");
        }
        output.WriteLine($"{m}: {exact} exact, {ulp} within one ulp, {failures.Count} worse");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(15)));
    }

    /// <summary>
    /// The position of a finite 80-bit magnitude among the representable ones: the explicit integer bit makes the raw
    /// encodings jump by 2^63 at each binade (and denormals continue into the smallest normals).
    /// </summary>
    static UInt128 Ordinal(ReadOnlySpan<byte> v)
    {
        int exp = BitConverter.ToUInt16(v[8..]) & 0x7FFF;
        ulong mant = BitConverter.ToUInt64(v);
        return exp == 0 ? mant : ((UInt128)(uint)(exp - 1) << 63) + mant;
    }

    /// <summary>Null when the states agree up to one ulp per register (C1 then free); <paramref name="oneUlp"/> tells whether that was needed.</summary>
    static string? Diff(CpuSnapshot* n, CpuSnapshot* e, out bool oneUlp)
    {
        oneUlp = false;
        var sb = new StringBuilder();
        if (n->Signal != e->Signal) sb.Append($"signal {n->Signal} vs {e->Signal}; ");
        for (int i = 0; i < 16; i++)
            if (n->Gpr[i] != e->Gpr[i]) sb.Append($"gpr{i}; ");
        for (int i = 0; i < 8; i++)
        {
            var a = new ReadOnlySpan<byte>(n->Fx + 32 + i * 16, 10);
            var b = new ReadOnlySpan<byte>(e->Fx + 32 + i * 16, 10);
            if (a.SequenceEqual(b)) continue;
            UInt128 va = Ordinal(a), vb = Ordinal(b);
            // Same sign and adjacent values (ulp steps counted across binades: 3ffe:ffffffffffffffff is next to 1.0).
            if ((a[9] & 0x80) == (b[9] & 0x80) && (va - vb == 1 || vb - va == 1)) oneUlp = true;
            else sb.Append($"st{i}: cpu {BitConverter.ToUInt16(a[8..]):x4}:{BitConverter.ToUInt64(a):x16} emu {BitConverter.ToUInt16(b[8..]):x4}:{BitConverter.ToUInt64(b):x16}; ");
        }
        ushort nsw = *(ushort*)(n->Fx + 2), esw = *(ushort*)(e->Fx + 2);
        ushort mask = unchecked((ushort)~0x0200);
        if (((nsw ^ esw) & mask) != 0) sb.Append($"fsw: cpu {nsw:x4} emu {esw:x4}; ");
        if (n->Fx[4] != e->Fx[4]) sb.Append($"ftw: cpu {n->Fx[4]:x2} emu {e->Fx[4]:x2}; ");
        return sb.Length == 0 ? null : sb.ToString();
    }
}
