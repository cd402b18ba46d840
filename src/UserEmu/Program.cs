using UserEmu.Cli;
using UserEmu.Cli.CommandLine;
using UserEmu.Cpu.X86;
using UserEmu.Engine;
using UserEmu.Frontend.X86;
using UserEmu.Host;
using UserEmu.Loader;

bool firstStart = !args.Contains("-guest-fds") && Environment.GetEnvironmentVariable(ReexecCommand.DiagnosticsVariable) == null;
// A NativeAOT engine started from a host shell reserves the guest's descriptor numbers itself, before it opens a file
// (its runtime has kept none open before Main); a JIT engine restarts itself for that below.
List<int>? guestFdsAtStart = firstStart && !System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported
    ? EmulatorFds.ReserveAtFirstStart() : null;
// An emulator that runs the guest (not a JIT engine about to restart) faults in the memory its start-up allocates
// from, then builds its translation tables while it parses options and loads the program.
if (!firstStart || guestFdsAtStart != null)
{
    GcRegionPrefault.Run();
    StartupWarmUp.Start();
}
// The guest's arguments byte for byte (the runtime's args lose bytes that are not UTF-8).
args = GuestText.RawArguments(args);
try
{
    var cli = OptionTable.Parse(args, Environment.GetEnvironmentVariable);
    if (cli.ShowHelp)
    {
        Console.Out.Write(OptionTable.Usage());
        return 0;
    }
    if (cli.ShowVersion)
    {
        Console.Out.WriteLine($"useremu version {typeof(GuestLauncher).Assembly.GetName().Version?.ToString(3)} (x86-64 guests)");
        return 0;
    }
    if (cli.ListCpus)
    {
        Console.Out.WriteLine("Available CPU models (\"max\" = the first):");
        foreach (var m in CpuModel.All) Console.Out.WriteLine($"  {m.Name,-12} {m.Description}: {string.Join(' ', m.Flags())}");
        return 0;
    }
    if (guestFdsAtStart != null) cli.GuestFds = guestFdsAtStart;
    if (cli.Program == null) throw new UsageException("no program given (usage: useremu [options] program [args...]; -h for help)");
    // Synchronized: every guest thread logs its blocks (-d op, exec...), and a StreamWriter written by two at once threw
    // or lost its buffer (python3 with 8 threads under -d op -D file: internal errors, then an unhandled exception).
    if (cli.LogFile != null) cli.Emulator.Log = TextWriter.Synchronized(new StreamWriter(cli.LogFile, append: false) { AutoFlush = false });
    if (cli.GuestFds == null && Environment.GetEnvironmentVariable(ReexecCommand.DiagnosticsVariable) == null)
    {
        // First start from a host shell: restart once so the runtime's descriptors sit above the guest's (EmulatorFds).
        EmulatorFds.ClassifyBeforeRestart();
        var (guestFds, placeholders) = EmulatorFds.PrepareExec();
        HostExec.Run(ReexecCommand.ForStartup(args, guestFds), [.. HostExec.StartupEnvironment(), ReexecCommand.DiagnosticsVariable + "=0"]);
        // Could not restart: go on with the runtime's descriptors where they are.
        EmulatorFds.CancelExec(placeholders);
    }
    EmulatorFds.Classify(cli.GuestFds, StraceSetup.Traces(cli.Emulator));
    try
    {
        int status = GuestLauncher.Run(cli);
        // A forked child has none of the runtime's background threads, and a runtime shutdown would wait for them.
        cli.Emulator.Log.Flush();
        HostExit.ExitProcess(status);
        return status;
    }
    catch (ExecFormatException e)
    {
        HostStderr.Messages.WriteLine($"useremu: {cli.Program}: {e.Message}");
        return e.ExitCode;
    }
    catch (GuestTerminatedBySignalException s)
    {
        cli.Emulator.Log.Flush();
        HostExit.DieBySignal(s.Signal);
        return 128 + s.Signal;
    }
    catch (Exception e) when (e is not UsageException)
    {
        // An emulator bug: one line with what we know, then the guest dies as if the instruction were illegal.
        HostStderr.Messages.WriteLine($"useremu: internal error: {e.GetType().Name}: {e.Message} (run with -d in_asm,exec to locate it)");
        cli.Emulator.Log.Flush();
        HostExit.DieBySignal(Signals.SIGILL);
        return 128 + Signals.SIGILL;
    }
}
catch (UsageException e)
{
    HostStderr.Messages.WriteLine($"useremu: {e.Message}");
    return 1;
}
