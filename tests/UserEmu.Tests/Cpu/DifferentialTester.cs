using System.Text;
using Iced.Intel;
using UserEmu.Engine;
using UserEmu.IR;

namespace UserEmu.Tests.Cpu;

/// <summary>
/// Runs instruction cases on the host CPU (through <see cref="NativeHarness"/>) and under UserEmu with every backend
/// (<see cref="EmulatorRunner"/>), and reports every difference in registers, defined flags, signals and memory.
/// </summary>
/// <remarks>
/// Usage: add forms (<see cref="AddForms"/>) or hand-made cases (<see cref="Add"/>), then <see cref="Run"/>.
/// Cases the host CPU cannot execute (SIGILL natively but not under UserEmu) are skipped and listed.
/// </remarks>
public sealed class DifferentialTester(int seed)
{
    readonly List<CpuTestCase> _cases = new();

    public InstructionFuzzer Fuzzer { get; } = new(new Random(seed + Round * 7919));

    /// <summary>Long runs (<see cref="DifferentialLongRunTests"/>): round 0 is the CI case set, round r another seed.</summary>
    [ThreadStatic] internal static int Round;
    /// <summary>Long runs: told the report and case count of every <see cref="Run"/> on this thread.</summary>
    [ThreadStatic] internal static Action<Report, int>? Finished;
    public Random Rng => Fuzzer.Rng;
    /// <summary>Forms the fuzzer could not generate (operand kinds it does not know).</summary>
    public List<Code> Ungenerated { get; } = new();
    public int Count => _cases.Count;
    /// <summary>The cases added so far (for tests that compare results their own way).</summary>
    public IReadOnlyList<CpuTestCase> Cases => _cases;

    public void Add(CpuTestCase c) => _cases.Add(c);

    /// <summary>Adds <paramref name="count"/> cases from a generator that may give up (40 tries each); a form it never manages is listed in <see cref="Ungenerated"/>.</summary>
    public void AddGenerated(Code code, int count, Func<CpuTestCase?> tryGenerate)
    {
        for (int k = 0; k < count; k++)
        {
            CpuTestCase? c = null;
            for (int attempt = 0; attempt < 40 && c == null; attempt++) c = tryGenerate();
            if (c == null)
            {
                Ungenerated.Add(code);
                return;
            }
            Add(c);
        }
    }

    /// <summary>Adds <paramref name="count"/> random cases of each form.</summary>
    public void AddForms(IEnumerable<Code> codes, int count, FuzzOptions o)
    {
        foreach (var code in codes)
        {
            for (int k = 0; k < count; k++)
            {
                var c = Fuzzer.Generate(code, o);
                if (c == null)
                {
                    Ungenerated.Add(code);
                    break;
                }
                _cases.Add(c);
            }
        }
    }

    /// <summary>Every 64-bit-mode legacy or VEX form of the mnemonics.</summary>
    public static IEnumerable<Code> FormsOf(params Mnemonic[] mnemonics)
    {
        var set = new HashSet<Mnemonic>(mnemonics);
        foreach (var code in Enum.GetValues<Code>())
        {
            if (code == Code.INVALID || !set.Contains(code.Mnemonic())) continue;
            var op = code.ToOpCode();
            if (!op.Mode64 || op.Encoding is not (EncodingKind.Legacy or EncodingKind.VEX)) continue;
            yield return code;
        }
    }

    /// <summary>True if the form has an operand that may be memory.</summary>
    public static bool HasRm(Code code)
    {
        var op = code.ToOpCode();
        for (int i = 0; i < op.OpCount; i++)
            if (op.GetOpKind(i) is OpCodeOperandKind.r8_or_mem or OpCodeOperandKind.r16_or_mem or OpCodeOperandKind.r32_or_mem
                or OpCodeOperandKind.r64_or_mem or OpCodeOperandKind.mem) return true;
        return false;
    }

    /// <summary>Outcome of <see cref="Run"/>.</summary>
    public sealed class Report
    {
        public List<string> Failures { get; } = new();
        public HashSet<string> SkippedForms { get; } = new();
        public int Compared;

        public string Summary(int max = 25)
        {
            var sb = new StringBuilder();
            sb.Append($"{Failures.Count} mismatches in {Compared} comparisons");
            if (SkippedForms.Count > 0) sb.Append($"; host lacks: {string.Join(", ", SkippedForms.Take(20))}");
            foreach (var f in Failures.Take(max)) sb.Append("\n\n").Append(f);
            return sb.ToString();
        }
    }

    /// <remarks>
    /// A case the emulator disagrees with is run natively twice more: when both reruns agree with each other but not
    /// with the first run, the host was disturbed (an AMD host's context switch drops FIP/FDP/FOP when no x87
    /// exception is pending, as it may drop RFLAGS.NT) and the reproduced result is the oracle.
    /// </remarks>
    public Report Run()
    {
        var report = new Report();
        var harness = NativeHarness.Instance ?? throw new InvalidOperationException(NativeHarness.UnavailableReason);
        var native = harness.Run(_cases);
        using var emu = new EmulatorRunner();
        var blocks = new IrBlock[_cases.Count];
        var failures = new Dictionary<int, string>();
        for (int k = 0; k < _cases.Count; k++)
        {
            blocks[k] = emu.Translate(_cases[k]);
            if (FirstDifference(emu, k, blocks[k], native[k], report) is { } failure) failures[k] = failure;
        }
        if (failures.Count > 0)
        {
            var suspect = failures.Keys.Order().ToList();
            var subset = suspect.Select(k => _cases[k]).ToList();
            CpuResult[] again = harness.Run(subset), third = harness.Run(subset);
            for (int i = 0; i < suspect.Count; i++)
            {
                int k = suspect[i];
                if (Compare(subset[i], again[i], third[i]) != null || Compare(subset[i], native[k], again[i]) == null) continue;
                if (FirstDifference(emu, k, blocks[k], again[i], null) is { } failure) failures[k] = failure;
                else failures.Remove(k);
            }
        }
        report.Failures.AddRange(failures.OrderBy(f => f.Key).Select(f => f.Value));
        Finished?.Invoke(report, _cases.Count);
        return report;
    }

    /// <summary>The first backend's disagreement with the host on case <paramref name="k"/>, counting comparisons into <paramref name="report"/> when given.</summary>
    string? FirstDifference(EmulatorRunner emu, int k, IrBlock block, CpuResult native, Report? report)
    {
        var c = _cases[k];
        foreach (var backend in EmulatorRunner.AllBackends)
        {
            var r = emu.Run(c, block, backend);
            if (native.State.Signal == Signals.SIGILL && r.State.Signal != Signals.SIGILL)
            {
                report?.SkippedForms.Add(c.Insn.Code.ToString());
                return null;
            }
            if (report != null) report.Compared++;
            if (Compare(c, native, r) is { } diff)
                return $"{c.Describe()} [{backend}]\n  {diff}\n  initial: {c.Initial.Format()}{c.VectorState()}";
        }
        return null;
    }

    /// <summary>Differences between the CPU's result and UserEmu's, or null when they agree.</summary>
    public static unsafe string? Compare(CpuTestCase c, CpuResult cpu, CpuResult emu)
    {
        var sb = new StringBuilder();
        var n = cpu.State;
        var e = emu.State;
        if (n.Signal != e.Signal || n.SiCode != e.SiCode)
            sb.Append($"signal: cpu {n.Signal}/{n.SiCode} emu {e.Signal}/{e.SiCode}; ");
        else if (n.Signal != 0 && n.SiAddr != e.SiAddr && !(c.SiAddrChoices is { } choices && choices.Contains(n.SiAddr) && choices.Contains(e.SiAddr)))
            sb.Append($"si_addr: cpu {n.SiAddr:x} emu {e.SiAddr:x}; ");
        var ignoredGpr = new ulong[16];
        var ignoredData = c.IgnoredData;
        if (n.Signal == 0 && FlagRules.UndefinedDestination(c))
        {
            var insn = c.Insn;
            int size = insn.Op0Kind == OpKind.Register ? insn.Op0Register.GetSize() : insn.MemorySize.GetSize();
            if (insn.Op0Kind == OpKind.Register) ignoredGpr[insn.Op0Register.GetFullRegister() - Register.RAX] = size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;
            else
            {
                ignoredData = ignoredData == null ? new() : new(ignoredData);
                int first = (int)(MemoryAddress(c) - CpuTestLayout.DataBase);
                for (int k = 0; k < size; k++) ignoredData[first + k] = 0xff;
            }
        }
        for (int i = 0; i < 16; i++)
            if (((n.Gpr[i] ^ e.Gpr[i]) & ~ignoredGpr[i]) != 0 && !VendorRules.UpperHalfEither(c, i, n.Gpr[i], e.Gpr[i])) sb.Append($"{CpuSnapshot.GprNames[i]}: cpu {n.Gpr[i]:x} emu {e.Gpr[i]:x}; ");
        ulong mask = n.Signal != 0 ? FlagRules.All & ~VendorRules.UncomparedAfterFault(c, n) : FlagRules.Defined(c);
        if (((n.Rflags ^ e.Rflags) & mask) != 0)
            sb.Append($"rflags: cpu {n.Rflags & mask:x} emu {e.Rflags & mask:x} (mask {mask:x}); ");
        if (n.Rip != e.Rip) sb.Append($"rip: cpu {n.Rip:x} emu {e.Rip:x}; ");
        for (int r = 0; r < 16; r++)
            if (!new ReadOnlySpan<byte>(n.Xmm + r * 16, 16).SequenceEqual(new ReadOnlySpan<byte>(e.Xmm + r * 16, 16)))
                sb.Append($"xmm{r}: cpu {VectorStateFormat.Hex(new ReadOnlySpan<byte>(n.Xmm + r * 16, 16))} emu {VectorStateFormat.Hex(new ReadOnlySpan<byte>(e.Xmm + r * 16, 16))}; ");
        if (n.Mxcsr != e.Mxcsr && !VendorRules.MxcsrEither(c, n, e)) sb.Append($"mxcsr: cpu {n.Mxcsr:x} emu {e.Mxcsr:x}; ");
        X87Snapshot.Compare(c, &n, &e, sb);
        byte[] nd = cpu.Data, ed = emu.Data;
        if (ignoredData != null)
        {
            nd = (byte[])nd.Clone();
            ed = (byte[])ed.Clone();
            foreach (var (offset, bits) in ignoredData)
                if ((uint)offset < (uint)nd.Length && offset < ed.Length)
                {
                    nd[offset] &= (byte)~bits;
                    ed[offset] &= (byte)~bits;
                }
        }
        int at = nd.AsSpan().CommonPrefixLength(ed);
        if (at < nd.Length)
            sb.Append($"memory at +0x{at:x}: cpu {Hex(cpu.Data, at)} emu {Hex(emu.Data, at)}; ");
        return sb.Length == 0 ? null : sb.ToString();
    }

    /// <summary>Effective address of the case's explicit memory operand, from its initial registers (address size and segment included).</summary>
    static unsafe ulong MemoryAddress(CpuTestCase c)
    {
        var s = c.Initial;
        ulong gsBase = s.GsBase;
        ulong[] gpr = new ulong[16];
        for (int i = 0; i < 16; i++) gpr[i] = s.Gpr[i];
        c.Insn.TryGetVirtualAddress(0, 0, out ulong ea, (Register r, int _, int _, out ulong v) =>
        {
            v = r switch
            {
                Register.GS => gsBase,
                _ when r.IsSegmentRegister() => 0,
                _ when r.IsGPR() => r.GetSize() == 8 ? gpr[r.GetFullRegister() - Register.RAX] : gpr[r.GetFullRegister() - Register.RAX] & ((1UL << (r.GetSize() * 8)) - 1),
                _ => 0,
            };
            return r == Register.None || r.IsSegmentRegister() || r.IsGPR();
        });
        return ea;
    }

    static string Hex(byte[] d, int at) => Convert.ToHexString(d, at, Math.Min(16, d.Length - at)).ToLowerInvariant();
}
