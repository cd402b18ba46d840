using System.Globalization;
using UserEmu.Engine;

namespace UserEmu.Cli.CommandLine;

/// <summary>qemu-user's options: single- or double-dash names, each mirrored by a USEREMU_* environment variable.</summary>
/// <remarks>
/// A table-driven parser instead of System.CommandLine: qemu's syntax stops option parsing at the first
/// non-option (everything after the program belongs to the guest) and uses single-dash long names, which
/// System.CommandLine's POSIX-style grammar does not express.
/// </remarks>
public static class OptionTable
{
    /// <summary>One option: its name, environment variable, argument placeholder (null for flags), help text and action.</summary>
    /// <param name="OptionalValue">The argument is optional and only given inline (-strace or -strace=set).</param>
    public sealed record Option(string Name, string? EnvVar, string? Arg, string Help, Action<CliOptions, string> Apply, bool OptionalValue = false);

    public static readonly Option[] All =
    [
        new("h", null, null, "print this help and exit", (o, _) => o.ShowHelp = true),
        new("help", null, null, "print this help and exit", (o, _) => o.ShowHelp = true),
        new("version", null, null, "print the version and exit", (o, _) => o.ShowVersion = true),
        new("L", "USEREMU_LD_PREFIX", "path", "guest root for the ELF interpreter and libraries (default /)", (o, v) => o.Emulator.SysRoot = v),
        new("E", "USEREMU_SET_ENV", "var=value", "set a variable in the guest environment (comma-separated list allowed)",
            (o, v) => o.SetEnv.AddRange(v.Split(',', StringSplitOptions.RemoveEmptyEntries))),
        new("U", "USEREMU_UNSET_ENV", "var", "remove a variable from the guest environment (comma-separated list allowed)",
            (o, v) => o.UnsetEnv.AddRange(v.Split(',', StringSplitOptions.RemoveEmptyEntries))),
        new("0", "USEREMU_ARGV0", "argv0", "argv[0] for the guest program", (o, v) => o.Argv0 = v),
        new("cpu", "USEREMU_CPU", "model", "CPU model the guest sees (-cpu help lists them)", (o, v) =>
        {
            if (v == "help" || v == "?") o.ListCpus = true;
            else o.Emulator.CpuModel = v;
        }),
        new("strace", "USEREMU_STRACE", "set", "log system calls as strace does (set: names, %file, %process, %network, %signal, %memory, %desc...)",
            (o, v) =>
            {
                o.Emulator.Strace = true;
                if (v != "" && v != "1") o.Emulator.StraceFilter = v;
            }, OptionalValue: true),
        new("strace-file", "USEREMU_STRACE_FILE", "path", "write -strace output to path instead of stderr", (o, v) => o.Emulator.StraceFile = v),
        new("strace-append", "USEREMU_STRACE_APPEND", null, "append to the -strace-file instead of truncating it",
            (o, _) => o.Emulator.StraceAppend = true),
        new("strace-strsize", "USEREMU_STRACE_STRSIZE", "n", "string bytes -strace shows before \"...\" (default 32)",
            (o, v) => o.Emulator.StraceStringLimit = Math.Max(0, ParseInt(v, "strace-strsize"))),
        new("strace-summary", "USEREMU_STRACE_SUMMARY", null, "print strace -c's table of calls, errors and times at exit",
            (o, _) => o.Emulator.StraceSummary = true),
        new("strace-format", "USEREMU_STRACE_FORMAT", "text|json", "-strace output: strace's text or one JSON object per line", (o, v) =>
            o.Emulator.StraceJson = v switch { "json" => true, "text" => false, _ => throw new UsageException($"unknown -strace-format '{v}' (text or json)") }),
        new("d", "USEREMU_LOG", "item[,...]", "log items: in_asm, op, out_asm, exec, cpu, stats (-d help lists them)",
            (o, v) => { foreach (var item in v.Split(',', StringSplitOptions.RemoveEmptyEntries)) o.Emulator.DebugItems.Add(item); }),
        new("D", "USEREMU_LOG_FILENAME", "logfile", "write -d logs to logfile instead of stderr", (o, v) => o.LogFile = v),
        new("code-cache", "USEREMU_CODE_CACHE", "dir|off", "keep translations in dir for the next run of the same program (default ~/.cache/useremu; off: none)",
            (o, v) => o.Emulator.CodeCacheDirectory = v == "off" ? null : Path.GetFullPath(v)),
        new("perfmap", "USEREMU_PERFMAP", null, "write /tmp/perf-PID.map naming each native block's host code for Linux perf",
            (o, _) => o.Emulator.PerfMap = true),
        new("quiet-unimplemented", "USEREMU_QUIET_UNIMPLEMENTED", null, "no warning for syscalls UserEmu does not implement",
            (o, _) => o.Emulator.QuietUnimplemented = true),
        new("execve", null, null, "internal: started by a guest execve; the environment is the guest's as given (no -E/-U edits)",
            (o, _) => o.FromExecve = true),
        new("ignored-signals", null, "hexmask", "internal (execve): signals the guest starts with ignored",
            (o, v) => o.IgnoredSignals = ParseHex(v, "ignored-signals")),
        new("blocked-signals", null, "hexmask", "internal (execve): signals the guest starts with blocked",
            (o, v) => o.BlockedSignals = ParseHex(v, "blocked-signals")),
        new("guest-fds", null, "list", "internal (execve): the guest's open descriptors; other low ones are placeholders to close",
            (o, v) => o.GuestFds = ParseFdList(v)),
        new("guest-nofile", null, "n", "internal (execve): the guest's soft RLIMIT_NOFILE, raised for the emulator's start-up and set again before the guest runs",
            (o, v) => o.GuestDescriptorLimit = ParseInt(v, "guest-nofile")),
        new("guest-rlimits", null, "list", "internal (execve): RLIMIT_AS, DATA and STACK as the guest had set them (resource:cur:max in hex)",
            (o, v) => o.GuestLimits = v),
        new("guest-itimers", null, "list", "internal (execve): the itimers the guest had armed (which:remaining:interval in ns)",
            (o, v) => o.GuestItimers = v),
        new("hide-env", null, "var", "internal: a variable the emulator added for itself, removed from the guest environment",
            (o, v) => o.HiddenEnv.Add(v)),
        new("native-threshold", "USEREMU_NATIVE_THRESHOLD", "n", "interpret a block n times before translating it to native code (0: at once, -1: never)",
            (o, v) => o.Emulator.NativeThreshold = ParseInt(v, "native-threshold")),
        new("native-delay", "USEREMU_NATIVE_DELAY", "ms", "run the guest this long before warm blocks are translated to native code (default 0)",
            (o, v) => o.Emulator.NativeDelayMs = ParseInt(v, "native-delay")),
        new("jit-threshold", "USEREMU_JIT_THRESHOLD", "n", "run a block n times before compiling its region with the .NET JIT (0: always compile, -1: never)",
            (o, v) =>
            {
                o.Emulator.CompileThreshold = ParseInt(v, "jit-threshold");
                if (o.Emulator.CompileThreshold >= 0 && !EmulatorOptions.CanCompileRegions)
                    throw new UsageException("-jit-threshold: this engine is compiled ahead of time (NativeAOT) and has no JIT for regions; -1 is the only value");
            }),
        new("tb-side-exits", "USEREMU_TB_SIDE_EXITS", "n", "conditional branches a translated block continues past (superblocks; 0: each ends its block)",
            (o, v) => o.Emulator.SideExits = Math.Max(0, ParseInt(v, "tb-side-exits"))),
        new("tb-cache-blocks", "USEREMU_TB_CACHE_BLOCKS", "n", "translated blocks kept before the cache is flushed (0: no limit)",
            (o, v) => o.Emulator.TranslationCacheBlocks = ParseInt(v, "tb-cache-blocks")),
    ];

    public static readonly (string Item, string Help)[] LogItems =
    [
        ("in_asm", "guest instructions of each translated block"),
        ("op", "UserEmu IR of each translated block"),
        ("out_asm", "host machine code of each block the native tier translates, and of each stub made when first reached"),
        ("exec", "each block as it runs"),
        ("cpu", "guest registers before each block"),
        ("stats", "engine counters at exit (blocks, compile time, syscalls)"),
    ];

    static Option? Find(string name) => All.FirstOrDefault(o => o.Name == name);

    /// <summary>Parses qemu-style arguments after applying the USEREMU_* environment variables.</summary>
    public static CliOptions Parse(string[] args, Func<string, string?> getEnv)
    {
        var o = new CliOptions();
        foreach (var opt in All)
        {
            if (opt.EnvVar == null || getEnv(opt.EnvVar) is not { } value) continue;
            if ((opt.Arg == null || opt.OptionalValue) && (value == "" || value == "0")) continue;
            opt.Apply(o, value);
        }
        int i = 0;
        for (; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--") { i++; break; }
            if (a.Length < 2 || a[0] != '-') break;
            string name = a.StartsWith("--", StringComparison.Ordinal) ? a[2..] : a[1..];
            string? inline = null;
            int eq = name.IndexOf('=');
            if (eq > 0) { inline = name[(eq + 1)..]; name = name[..eq]; }
            var opt = Find(name) ?? throw new UsageException($"unknown option '{a}' (try -h)");
            string value = "";
            if (opt.OptionalValue) value = inline ?? "";
            else if (opt.Arg != null)
            {
                if (inline != null) value = inline;
                else if (i + 1 < args.Length) value = args[++i];
                else throw new UsageException($"option '{a}' needs an argument ({opt.Arg})");
            }
            opt.Apply(o, value);
        }
        if (i < args.Length)
        {
            o.Program = args[i];
            o.ProgramArgs = args[(i + 1)..];
        }
        if (o.Emulator.DebugItems.Contains("help")) o.ShowHelp = true;
        foreach (var item in o.Emulator.DebugItems)
            if (item != "help" && !LogItems.Any(l => l.Item == item)) throw new UsageException($"unknown log item '{item}' (try -d help)");
        return o;
    }

    // A loop, not Select().ToList(): those LINQ generics over int are JIT-compiled at every exec'd emulator's start.
    static List<int> ParseFdList(string v)
    {
        var fds = new List<int>();
        foreach (var f in v.Split(',', StringSplitOptions.RemoveEmptyEntries)) fds.Add(ParseInt(f, "guest-fds"));
        return fds;
    }

    static int ParseInt(string v, string what) =>
        int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : throw new UsageException($"bad number for -{what}: '{v}'");

    static ulong ParseHex(string v, string what) =>
        ulong.TryParse(v, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong n) ? n : throw new UsageException($"bad mask for -{what}: '{v}'");

    /// <summary>Parses sizes with an optional K/M/G suffix, as qemu's -s does.</summary>
    public static ulong ParseSize(string v)
    {
        if (v.Length == 0) throw new UsageException("empty size");
        ulong mult = char.ToUpperInvariant(v[^1]) switch { 'K' => 1UL << 10, 'M' => 1UL << 20, 'G' => 1UL << 30, _ => 1 };
        string digits = mult == 1 ? v : v[..^1];
        if (!ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n) || n == 0)
            throw new UsageException($"bad size '{v}'");
        return n * mult;
    }

    public static string Usage()
    {
        var w = new StringWriter();
        w.WriteLine("usage: useremu [options] program [arguments...]");
        w.WriteLine("Runs a Linux x86-64 program under user-mode emulation.");
        w.WriteLine();
        w.WriteLine("Options and matching environment variables:");
        foreach (var o in All)
        {
            string left = o.OptionalValue ? $"-{o.Name}[={o.Arg}]" : o.Arg != null ? $"-{o.Name} {o.Arg}" : $"-{o.Name}";
            w.WriteLine($"  {left,-26} {o.EnvVar,-28} {o.Help}");
        }
        w.WriteLine();
        w.WriteLine("Log items for -d:");
        foreach (var (item, help) in LogItems) w.WriteLine($"  {item,-10} {help}");
        w.WriteLine();
        w.WriteLine("Options end at the program name: everything after it is passed to the program.");
        return w.ToString();
    }
}
