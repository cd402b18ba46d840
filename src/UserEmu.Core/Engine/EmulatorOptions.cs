namespace UserEmu.Engine;

/// <summary>What the user asked for on the command line (or through USEREMU_* variables).</summary>
public sealed class EmulatorOptions
{
    /// <summary>Guest root for the interpreter and library lookups (-L); "/" means the host's own.</summary>
    public string SysRoot { get; set; } = "/";
    /// <summary>-strace: one line per syscall in strace's format.</summary>
    public bool Strace { get; set; }
    /// <summary>-strace=SET: the syscalls traced (names and %classes); null for all.</summary>
    public string? StraceFilter { get; set; }
    /// <summary>-strace-file: trace output file instead of stderr.</summary>
    public string? StraceFile { get; set; }
    /// <summary>-strace-append: add to -strace-file instead of truncating it (a guest re-executed by execve keeps one trace).</summary>
    public bool StraceAppend { get; set; }
    /// <summary>-strace-strsize: string bytes shown before "..." (strace -s).</summary>
    public int StraceStringLimit { get; set; } = 32;
    /// <summary>-strace-summary: strace -c's table at exit.</summary>
    public bool StraceSummary { get; set; }
    /// <summary>-strace-format json: JSON lines instead of text.</summary>
    public bool StraceJson { get; set; }
    /// <summary>-d items: in_asm, op, exec, cpu, stats...</summary>
    public HashSet<string> DebugItems { get; } = new(StringComparer.Ordinal);
    /// <summary>Where -d output goes (-D); stderr by default.</summary>
    public TextWriter Log { get; set; } = UserEmu.Host.HostStderr.Instance;
    /// <summary>CPU model name (-cpu); selects the CPUID features the guest sees.</summary>
    public string CpuModel { get; set; } = "max";
    /// <summary>-perfmap: name native blocks' host code in /tmp/perf-PID.map for Linux perf.</summary>
    public bool PerfMap { get; set; }
    /// <summary>Suppress the one-line warning for unimplemented syscalls.</summary>
    public bool QuietUnimplemented { get; set; }
    /// <summary>Runs of a block before its region is compiled to IL by RyuJIT (0: compile at once; -1: never).</summary>
    /// <remarks>
    /// RyuJIT takes milliseconds per region: big programs (cc1, python) run most blocks a few hundred times at start-up,
    /// and compiling them at 32 cost more than interpreting them (cc1 -O2 on a one-line file: 13.3 s at 32, 2.8 s at 5000).
    /// python3 json+sha256 of 3000 records, user CPU s: 15.2 at 1000, 11.6 at 5000, 9.8 at 20000, 9.9 at 50000.
    /// Since regions keep guest state in memory they JIT in about half the time, which moved the best value down again:
    /// python3 5000 records: 8.6 s at 3000 and 8000, 10.3 s at 20000; cc1 -O2 of an 815-line file: 71 s at 2000,
    /// 58 s at 5000, 60 s at 20000. Since warm blocks run as chained native code (the native tier), RyuJIT pays only
    /// for blocks that run very often: cc1 -O2 of the 3200-line benchmark file 102 s at 5000, 57 s at 50000, 51 s at
    /// 200000; python3 json_sha 20000 records 6.3 s at 5000, 5.7 s at 50000, 5.2 s at 200000.
    /// A NativeAOT engine (the Release build where a C toolchain links it) has no JIT: -1, and nothing else is valid.
    /// </remarks>
    public int CompileThreshold { get; set; } = CanCompileRegions ? 200000 : -1;
    /// <summary>This engine runs on a JIT (not NativeAOT), so RyuJIT regions exist.</summary>
    public static bool CanCompileRegions => System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported;
    /// <summary>Executions of a block in the interpreter before it is translated to native code (0: at once; -1: never).</summary>
    /// <remarks>
    /// 4 since 2026-12-03: cc1 had interpreted 5.3M block runs before its blocks were queued (86% of its blocks are
    /// translated to native code in the end), 1.6M at 4; cc1 -O2 of the small benchmark file, medians of 5-6
    /// interleaved runs, three comparisons: 32 -> 4 3.72 -> 3.00 s, 2.99 -> 2.69 s (2: 2.55, 8: 2.62), 3.60 -> 3.24 s.
    /// python3, busybox, lua and string_ops within noise.
    /// </remarks>
    public int NativeThreshold { get; set; } = 4;
    /// <summary>Milliseconds of the process's guest run before warm blocks go to the native tier (a threshold of 0 compiles at once regardless).</summary>
    /// <remarks>
    /// For runs of many short commands: a short command is mostly start-up code that runs a few times, and compiling
    /// its warm blocks on the second core slowed the guest's own thread without one native run. In `busybox true` (~8
    /// ms of guest run, 102 blocks compiled, none run natively) the compile thread cost the vCPU ~1.2 ms (17.5 -> 16.2
    /// ms with a delay of 10, medians of 60 interleaved runs; with the native tier off, 15.9), as .NET's tiered
    /// compilation delays call counting at start-up (TC_CallCountingDelayMs). Not by default: whatever gets hot early
    /// runs interpreted that long, and 10 ms cost fib 36 85 -> 92 ms, lua5.4 fib.lua 30 181 -> 194 ms, nbody 196 ->
    /// 199 ms (min of 10-16 interleaved runs). A forked child inherits the clock; an exec'd program starts its own.
    /// </remarks>
    public int NativeDelayMs { get; set; }
    /// <summary>Conditional branches a translated block continues past on their fall-through path, each then a side exit (superblocks; 0: every jcc ends its block).</summary>
    public int SideExits { get; set; } = 4;
    /// <summary>Translated blocks kept before the whole cache is flushed (QEMU's tb_flush); 0: no limit.</summary>
    /// <remarks>
    /// A block's IR cost ~1 KB when the cache kept both the optimised IR and the interpreter's form (512k blocks,
    /// 600 MB peak RSS); it keeps only the prepared form now, and a compiled region a DynamicMethod more. A python3
    /// start translates ~50k blocks; cc1 -O2 of an 815-line file ~158k, so at 2^17 it flushed once and translated
    /// everything again (47.5 s user), at 2^18 it does not (43.3 s).
    /// </remarks>
    public int TranslationCacheBlocks { get; set; } = 1 << 18;

    /// <summary>-code-cache: the directory of the persistent code cache (CodeCache.PersistentCodeCache); null: off.</summary>
    /// <remarks>$XDG_CACHE_HOME/useremu or ~/.cache/useremu by default, as other tools keep caches there.</remarks>
    public string? CodeCacheDirectory { get; set; } = DefaultCodeCacheDirectory();

    static string? DefaultCodeCacheDirectory()
    {
        string? root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg) ? xdg
            : Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home && Path.IsPathRooted(home) ? Path.Combine(home, ".cache") : null;
        return root == null ? null : Path.Combine(root, "useremu");
    }

    public bool Debug(string item) => DebugItems.Contains(item);
}
