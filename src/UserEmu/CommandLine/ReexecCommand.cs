using System.Globalization;
using UserEmu.Engine;

namespace UserEmu.Cli.CommandLine;

/// <summary>The command that starts this emulator again with the same options, for a guest's execve.</summary>
/// <remarks>
/// A guest that execs a program keeps being emulated: the emulator host-execs itself with the options it runs with
/// (in canonical form, whether they came from the command line or USEREMU_* variables) and -execve, and the syscall
/// layer appends -0 argv0, "--", the program and its arguments. -E, -U and -0 are not repeated: they shaped the first
/// guest's environment and argv, and an exec'd guest gets exactly what its parent passed to execve.
/// </remarks>
public static class ReexecCommand
{
    /// <summary>The runtime setting that removes its debugger transport (a thread blocked opening a FIFO, holding a descriptor number).</summary>
    public const string DiagnosticsVariable = "DOTNET_EnableDiagnostics";

    /// <summary>This emulator's host program (and, under `dotnet`, its assembly).</summary>
    static List<string> Host()
    {
        var args = new List<string>();
        string host = Environment.ProcessPath ?? "/proc/self/exe";
        args.Add(host);
        // Run as `dotnet useremu-engine.dll`: the host is the muxer and the emulator (the runtime's argument 0) an argument to it.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") args.Add(Environment.GetCommandLineArgs()[0]);
        return args;
    }

    /// <summary>
    /// The first emulator restarts itself once, with the runtime's diagnostics off and the guest's descriptors
    /// reserved (EmulatorFds), so that the runtime's own descriptors end up above the guest's: the original arguments,
    /// unchanged, after -hide-env and -guest-fds.
    /// </summary>
    public static string[] ForStartup(string[] originalArgs, string guestFds) =>
        [.. Host(), "-hide-env", DiagnosticsVariable, "-guest-fds", guestFds, .. originalArgs];

    public static string[] For(CliOptions cli)
    {
        var o = cli.Emulator;
        var args = Host();
        if (o.SysRoot != "/") args.AddRange(["-L", o.SysRoot]);
        args.AddRange(["-cpu", o.CpuModel]);
        if (o.Strace) args.Add(o.StraceFilter != null ? "-strace=" + o.StraceFilter : "-strace");
        // The exec'd image continues the same trace: appended to the same file, same format and limits.
        if (o.StraceFile != null) args.AddRange(["-strace-file", Path.GetFullPath(o.StraceFile), "-strace-append"]);
        if (o.StraceStringLimit != 32) args.AddRange(["-strace-strsize", o.StraceStringLimit.ToString(CultureInfo.InvariantCulture)]);
        if (o.StraceJson) args.AddRange(["-strace-format", "json"]);
        if (o.StraceSummary) args.Add("-strace-summary");
        if (o.DebugItems.Count > 0) args.AddRange(["-d", string.Join(',', o.DebugItems)]);
        if (cli.LogFile != null) args.AddRange(["-D", Path.GetFullPath(cli.LogFile)]);
        if (o.QuietUnimplemented) args.Add("-quiet-unimplemented");
        if (o.PerfMap) args.Add("-perfmap");
        args.AddRange(["-code-cache", o.CodeCacheDirectory ?? "off"]);
        args.AddRange(["-native-threshold", o.NativeThreshold.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(["-native-delay", o.NativeDelayMs.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(["-jit-threshold", o.CompileThreshold.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(["-tb-side-exits", o.SideExits.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(["-tb-cache-blocks", o.TranslationCacheBlocks.ToString(CultureInfo.InvariantCulture)]);
        args.Add("-execve");
        return args.ToArray();
    }
}
