using UserEmu.Bench.Host;
using UserEmu.Bench.Inputs;

namespace UserEmu.Bench;

/// <summary>What a workload's Prepare step may use: paths, the smoke flag, host tools, the C compiler and generated inputs.</summary>
sealed class WorkloadContext(BenchPaths paths, bool smoke)
{
    public BenchPaths Paths => paths;
    public bool Smoke => smoke;

    readonly Dictionary<string, string?> tools = new();

    /// <summary>A host program as an ELF path, looked up once.</summary>
    public string? Tool(string name)
    {
        if (!tools.TryGetValue(name, out var path)) tools[name] = path = HostTools.FindElf(name);
        return path;
    }

    /// <summary>The full-size value, or the small one for --smoke.</summary>
    public string Size(long full, long small) => (smoke ? small : full).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string Workload(string file) => Path.Combine(paths.Workloads, file);

    /// <summary>The generated text file: 32 MiB, or 1 MiB for --smoke.</summary>
    public string Corpus() => TextCorpus.Ensure(paths.Data, smoke ? 1L << 20 : 32L << 20);

    /// <summary>The generated C file: ~3200 lines, or ~270 for --smoke.</summary>
    public string BigC() => BigCSource.Ensure(paths.Data, smoke ? 20 : 240);

    /// <summary>Where a workload's output file goes (under .bench/runs).</summary>
    public string OutputPath(string name) => Path.Combine(paths.Runs, name);

    /// <summary>A workload command that runs a busybox applet, or a skip when busybox is not installed.</summary>
    public PreparedWorkload Busybox(params string[] args) =>
        Tool("busybox") is { } bb ? new PreparedWorkload([bb, .. args]) : PreparedWorkload.Skip("busybox not installed");

    /// <summary>Compiles Workloads/<paramref name="source"/> (gcc -O2, static) and runs it with <paramref name="args"/>.</summary>
    public PreparedWorkload C(string source, string[] args, params string[] libs)
    {
        string? gcc = Tool("gcc");
        if (gcc == null) return PreparedWorkload.Skip("gcc not installed");
        string name = Path.GetFileNameWithoutExtension(source);
        string exe = Path.Combine(paths.Build, name);
        string[] flags = ["-O2", "-static", .. libs];
        string? error = CCompiler.CompileIfStale(gcc, Workload(source), exe, flags);
        return error == null ? new PreparedWorkload([exe, .. args]) : PreparedWorkload.Failed(error);
    }

    /// <summary>A dynamic interpreter running one of the Workloads/ scripts, or a skip when it is not installed.</summary>
    public PreparedWorkload Script(string interpreter, string[] interpreterFlags, string script, params string[] args) =>
        Tool(interpreter) is { } exe
            ? new PreparedWorkload([exe, .. interpreterFlags, Workload(script), .. args])
            : PreparedWorkload.Skip($"{interpreter} not installed");
}
