using UserEmu.Cli.CommandLine;
using UserEmu.Engine;
using UserEmu.Host;
using UserEmu.Syscalls;
using UserEmu.Syscalls.Strace;

namespace UserEmu.Cli;

/// <summary>Connects the strace formatter to a guest process when -strace or -strace-summary asks for it.</summary>
static class StraceSetup
{
    /// <summary>Whether the options ask for system call tracing in any form (a line per call, the summary table or both).</summary>
    public static bool Traces(EmulatorOptions o) => o.Strace || o.StraceFile != null || o.StraceSummary;

    /// <summary>The formatter now observing <paramref name="bridge"/>'s calls, the process's signals and its end; null when tracing is off.</summary>
    public static StraceFormatter? Attach(GuestProcess proc, X86_64SyscallBridge bridge, EmulatorOptions o)
    {
        // -strace-file alone traces as -strace does; with -strace-summary alone the file gets only the table (strace -c -o).
        bool lines = o.Strace || (o.StraceFile != null && !o.StraceSummary);
        if (!Traces(o)) return null;
        var options = new StraceOptions
        {
            Lines = lines,
            File = o.StraceFile,
            StringLimit = o.StraceStringLimit,
            Filter = o.StraceFilter,
            Summary = o.StraceSummary,
            Json = o.StraceJson,
        };
        StraceOutput output;
        try
        {
            output = options.File != null ? StraceOutput.OpenFile(options.File, o.StraceAppend) : StraceOutput.Stderr();
        }
        catch (IOException e)
        {
            throw new UsageException(e.Message);
        }
        StraceFormatter formatter;
        try
        {
            formatter = new StraceFormatter(options, X86_64SyscallBridge.Table, output);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"-strace: {e.Message}");
        }
        formatter.Attach(proc);
        bridge.Tracer = formatter;
        proc.Signals.Observer = formatter.OnSignal;
        HostExit.BeforeExit = formatter.OnProcessEnd;
        return formatter;
    }
}
