using Iced.Intel;
using UserEmu.IR;
using UserEmu.Tests.Cpu;
using Xunit;
using Xunit.Abstractions;
using static UserEmu.Tests.Cpu.CpuTestLayout;

namespace UserEmu.Tests.Fuzz;

/// <summary>
/// Random instruction byte strings translated and run as one block by the IR interpreter, the optimised interpreter and
/// the IL backend: all three must agree on every register, flag, vector register and byte of memory, and none may throw
/// anything but a guest signal. Inputs that once failed are kept in Fuzz/Corpus as regression cases.
/// </summary>
public sealed unsafe class TranslatorFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void RandomCodeAgreesAcrossBackends()
    {
        var rng = new Random(FuzzSettings.Seed(11));
        var fuzzer = new InstructionFuzzer(rng);
        using var emu = new EmulatorRunner();
        int iterations = FuzzSettings.Iterations(2000), signals = 0, run = 0;
        // A long run keeps going past a failure so that one run finds every distinct problem; the test fails at the end.
        var failures = new List<string>();
        for (int i = 0; i < iterations; i++)
        {
            var code = RandomCode(rng);
            if (HasNondeterministic(code)) continue;
            // A crash of the host process cannot report its input, so a long run can log each one first.
            if (FuzzSettings.LogPath is { } log) File.AppendAllText(log, $"{i} {Convert.ToHexString(code)}\n");
            var c = MakeCase(fuzzer, code, rng);
            // USEREMU_FUZZ_ONLY=N replays iteration N alone (the random stream is consumed the same way).
            if (FuzzSettings.Only is { } only && only != i) continue;
            var result = RunAll(emu, c);
            run++;
            if (result.Error != null)
            {
                failures.Add($"iteration {i}, code {Convert.ToHexString(code)}: {result.Error}");
                output.WriteLine(failures[^1]);
                if (failures.Count >= 20) break;
            }
            signals += result.Signaled ? 1 : 0;
        }
        output.WriteLine($"{iterations} random blocks ({run} compared), {signals} ended in a guest signal, {failures.Count} failures");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(3)));
    }

    public static TheoryData<string> Corpus()
    {
        var data = new TheoryData<string>();
        string dir = Path.Combine(AppContext.BaseDirectory, "Fuzz", "Corpus");
        if (Directory.Exists(dir))
            foreach (var f in Directory.GetFiles(dir, "*.hex").Order())
                data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void CorpusCaseAgreesAcrossBackends(string file)
    {
        var rng = new Random(1);
        byte[] code = Convert.FromHexString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fuzz", "Corpus", file)).Trim());
        using var emu = new EmulatorRunner();
        var result = RunAll(emu, MakeCase(new InstructionFuzzer(rng), code, rng));
        Assert.True(result.Error == null, result.Error);
    }

    /// <summary>Mostly real instruction prefixes and opcodes, so decoding gets past the first byte often.</summary>
    static byte[] RandomCode(Random rng)
    {
        var bytes = new List<byte>();
        int parts = 1 + rng.Next(4);
        for (int p = 0; p < parts; p++)
        {
            if (rng.Next(3) == 0) bytes.Add((byte)(0x40 | rng.Next(16))); // REX
            if (rng.Next(6) == 0) bytes.Add(new byte[] { 0x66, 0xf2, 0xf3, 0xf0, 0x64, 0x65 }[rng.Next(6)]);
            if (rng.Next(3) == 0) bytes.Add(0x0f);
            int tail = 1 + rng.Next(7);
            for (int k = 0; k < tail; k++) bytes.Add((byte)rng.Next(256));
        }
        return bytes.ToArray();
    }

    /// <summary>Time stamps and hardware random numbers differ between any two runs, so such blocks are not compared.</summary>
    static bool HasNondeterministic(byte[] code)
    {
        // The runner appends a jmp [rip+0] trailer, which the last random instruction may swallow.
        byte[] withTrailer = [.. code, 0xff, 0x25, 0, 0, 0, 0, 0, 0, 0xff, 0x7f, 0, 0, 0, 0];
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(withTrailer), CodeBase);
        while (decoder.IP < CodeBase + (ulong)code.Length)
        {
            decoder.Decode(out var insn);
            if (insn.Mnemonic is Mnemonic.Rdtsc or Mnemonic.Rdtscp or Mnemonic.Rdrand or Mnemonic.Rdseed or Mnemonic.Rdpid) return true;
        }
        return false;
    }

    static CpuTestCase MakeCase(InstructionFuzzer fuzzer, byte[] code, Random rng)
    {
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(code), CodeBase);
        decoder.Decode(out var insn);
        var state = fuzzer.RandomState();
        // Some registers point into the data window so that memory operands often hit mapped memory.
        for (int r = 0; r < 16; r++)
            if (r != 4 && rng.Next(3) == 0) state.Gpr[r] = DataBase + (ulong)rng.Next(DataSize);
        state.Gpr[4] = DataBase + DataSize / 2;
        var data = new byte[DataSize];
        rng.NextBytes(data);
        return new CpuTestCase { Code = code, Insn = insn, Initial = state, Data = data, FlagMask = ulong.MaxValue };
    }

    record struct Outcome(string? Error, bool Signaled);

    /// <summary>Translates once and runs with every backend; the plain interpreter is the reference.</summary>
    static Outcome RunAll(EmulatorRunner emu, CpuTestCase c)
    {
        try
        {
            var block = emu.Translate(c);
            // A block that branches to itself loops inside compiled code but stops after one pass when interpreted.
            if (EmulatorRunner.LoopsOnItself(block)) return new Outcome(null, false);
            CpuResult? reference = null;
            foreach (var backend in EmulatorRunner.AllBackends)
            {
                var r = emu.Run(c, block, backend);
                if (reference == null)
                {
                    reference = r;
                    // A branch out of the code to any other byte than the trailer lands on random bytes: when they set
                    // every flag before reading one, the translator rightly drops the flags the branch leaves.
                    if (r.State.Signal == 0 && r.State.Rip != CodeBase + (ulong)c.Code.Length) c.FlagMask = 0;
                    continue;
                }
                string? diff = DifferentialTester.Compare(c, reference, r);
                if (diff != null)
                    return new Outcome($"{backend} differs from the interpreter: {diff}\ninitial: {c.Initial.Format()}\n{IrPrinter.Format(block)}\noptimised:\n{IrPrinter.Format(UserEmu.Optimizer.IrOptimizer.Run(block))}", false);
            }
            return new Outcome(null, reference!.State.Signal != 0);
        }
        catch (Exception e)
        {
            return new Outcome($"host exception {e.GetType().Name}: {e.Message}\n{e.StackTrace}", false);
        }
    }
}
