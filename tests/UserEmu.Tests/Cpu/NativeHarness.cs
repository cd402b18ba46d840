using System.Diagnostics;
using System.Runtime.InteropServices;

namespace UserEmu.Tests.Cpu;

/// <summary>Builds the C harness with gcc (once per test run) and runs batches of <see cref="CpuTestCase"/> on the host CPU.</summary>
public sealed unsafe class NativeHarness
{
    static readonly Lazy<NativeHarness?> Shared = new(Build);
    static string _unavailable = "";

    readonly string _exe;

    NativeHarness(string exe) => _exe = exe;

    /// <summary>The harness, or null when it cannot run here (see <see cref="UnavailableReason"/>).</summary>
    public static NativeHarness? Instance => Shared.Value;

    public static string UnavailableReason => _unavailable;

    static NativeHarness? Build()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64 || !OperatingSystem.IsLinux())
        {
            _unavailable = "not an x86-64 Linux host";
            return null;
        }
        string? gcc = Environment.GetEnvironmentVariable("PATH")?.Split(':')
            .Select(d => Path.Combine(d, "gcc")).FirstOrDefault(File.Exists);
        if (gcc == null)
        {
            _unavailable = "gcc not found";
            return null;
        }
        string dir = Directory.CreateTempSubdirectory("useremu-harness-").FullName;
        string src = Path.Combine(dir, "harness.c"), exe = Path.Combine(dir, "harness");
        File.WriteAllText(src, NativeHarnessSource.Text);
        var (code, output) = Exec(gcc, ["-O1", "-no-pie", "-o", exe, src]);
        if (code != 0)
        {
            _unavailable = $"gcc failed: {output}";
            return null;
        }
        return new NativeHarness(exe);
    }

    static (int Code, string Output) Exec(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout + err.Result);
    }

    /// <summary>Runs every case natively, in order, in one harness process.</summary>
    /// <remarks>
    /// Some hosts (an AMD EPYC VM: about once per timer tick) clear RFLAGS.NT of user code an interrupt returns to, so a
    /// case that starts with NT set, or is a popf (which may set it), and ends without it is run again (one that clears
    /// NT itself ends the same way every time).
    /// </remarks>
    public CpuResult[] Run(IReadOnlyList<CpuTestCase> cases)
    {
        var results = RunOnce(cases);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            var lost = Enumerable.Range(0, cases.Count)
                .Where(k => (results[k].State.Rflags & FlagRules.NT) == 0
                    && ((cases[k].Initial.Rflags & FlagRules.NT) != 0 || cases[k].Insn.Mnemonic is Iced.Intel.Mnemonic.Popf or Iced.Intel.Mnemonic.Popfq))
                .ToList();
            if (lost.Count == 0) break;
            var again = RunOnce(lost.Select(k => cases[k]).ToList());
            for (int i = 0; i < lost.Count; i++) results[lost[i]] = again[i];
        }
        return results;
    }

    CpuResult[] RunOnce(IReadOnlyList<CpuTestCase> cases)
    {
        string input = Path.GetTempFileName(), output = Path.GetTempFileName();
        try
        {
            using (var w = new BinaryWriter(File.Create(input)))
            {
                w.Write((uint)cases.Count);
                foreach (var c in cases)
                {
                    w.Write((uint)c.Code.Length);
                    w.Write(c.Code);
                    var st = c.Initial;
                    w.Write(new ReadOnlySpan<byte>(&st, sizeof(CpuSnapshot)));
                    w.Write(c.PageProt);
                    w.Write((uint)c.Data.Length);
                    w.Write(c.Data);
                }
            }
            var (code, text) = Exec(_exe, [input, output]);
            if (code != 0) throw new InvalidOperationException($"native harness failed ({code}): {text}");
            var results = new CpuResult[cases.Count];
            using var r = new BinaryReader(File.OpenRead(output));
            for (int k = 0; k < cases.Count; k++)
            {
                CpuSnapshot st;
                r.BaseStream.ReadExactly(new Span<byte>(&st, sizeof(CpuSnapshot)));
                results[k] = new CpuResult { State = st, Data = r.ReadBytes(cases[k].Data.Length) };
            }
            return results;
        }
        finally
        {
            File.Delete(input);
            File.Delete(output);
        }
    }
}
