using UserEmu.Cli.CommandLine;
using UserEmu.Cpu.X86;
using UserEmu.Cpu.X86.Signals;
using UserEmu.Engine;
using UserEmu.Engine.Proc;
using UserEmu.Engine.Threads;
using UserEmu.Frontend.X86;
using UserEmu.Host;
using UserEmu.Loader;
using UserEmu.Memory;
using UserEmu.Syscalls;

namespace UserEmu.Cli;

/// <summary>Builds the guest process from the command line (address space, ELF images, initial stack) and runs its first thread.</summary>
static unsafe class GuestLauncher
{
    public static int Run(CliOptions cli)
    {
        string program = cli.Program!;
        var options = cli.Emulator;
        var model = CpuModel.Find(options.CpuModel) ?? throw new UsageException($"unknown CPU model '{options.CpuModel}' (try -cpu help)");
        var mem = new GuestAddressSpace();
        // As execve: a #! script runs its interpreter with the script's name as an argument (binfmt_script).
        var plan = ExecResolver.Resolve(program, program, [cli.Argv0 ?? program, .. cli.ProgramArgs], options.SysRoot, mem.Limit);
        var loaded = ProgramImage.Load(mem, plan.Program, options.SysRoot);
        var image = loaded.Program;
        ulong entry = loaded.Entry, interpBase = loaded.InterpreterBase;

        var proc = new GuestProcess
        {
            Memory = mem,
            Options = options,
            Frontend = new X86Translator(),
            Syscalls = null!,
            CpuModel = model,
            ExePath = image.Path,
            Comm = TruncateComm(Path.GetFileName(program)),
        };
        var bridge = new X86_64SyscallBridge(proc);
        proc.Syscalls = bridge;
        if (cli.GuestLimits != null && !bridge.Kernel.Limits.Restore(cli.GuestLimits))
            throw new UsageException($"-guest-rlimits: malformed list '{cli.GuestLimits}'");
        if (cli.GuestItimers != null && !bridge.Kernel.Timers.RestoreItimers(cli.GuestItimers))
            throw new UsageException($"-guest-itimers: malformed list '{cli.GuestItimers}'");
        // The host process carries the guest's name (/proc/pid/comm, ps, pgrep), as the kernel names a process after its program.
        UserEmu.Host.HostThread.SetCurrentName(proc.Comm);
        proc.ReexecCommand = ReexecCommand.For(cli);
        proc.CodeStore = UserEmu.Engine.CodeCache.PersistentCodeCache.Open(options, image.Path, model);
        var strace = StraceSetup.Attach(proc, bridge, options);
        proc.Stats.Enabled = options.Debug("stats");
        if (proc.Stats.Enabled) UserEmu.Backend.Native.NativeBlockRunner.CountHandBacksIn(proc.Stats);
        if (options.Debug("out_asm")) UserEmu.Backend.Native.NativeBlockRunner.ListStubsIn(options.Log);
        proc.Signals.Delivery = new X86SignalFrame();
        mem.CodePageWritten = proc.Code.InvalidatePage;
        // The compile thread makes its tables and first code memory while the rest is set up here (~1 ms): a short run's
        // hot loops (busybox true's applet lookup) had stayed interpreted, waiting for it.
        if (options.NativeThreshold >= 0 && options.NativeDelayMs <= 0) proc.NativeWorker.StartEarly();

        string[] argv = plan.Argv;
        string[] envp = GuestEnvironment(cli);
        var layout = InitialStack.Build(mem, new StackInputs
        {
            Argv = argv,
            Envp = envp,
            ExecFn = program,
            Program = image,
            InterpreterBase = interpBase,
            HwCap = model.HwCap,
            HwCap2 = model.HwCap2,
            ExecStack = image.ExecStack,
        });
        ulong sp = layout.StackPointer;
        var auxv = layout.Auxv;
        proc.Argv = argv;
        proc.Envp = envp;
        proc.Auxv = auxv;
        proc.Entry = entry;
        proc.InitialSp = sp;
        // The initial stack holds argc, argv[], NULL, then envp[].
        strace?.OnStart(program, argv, sp + 8 * ((ulong)argv.Length + 2), envp.Length);
        proc.ArgStart = layout.ArgStart;
        proc.ArgEnd = layout.ArgEnd;
        proc.EnvStart = layout.EnvStart;
        proc.EnvEnd = layout.EnvEnd;

        using var cpu = new Vcpu(proc) { Tid = Environment.ProcessId };
        cpu.State->Gpr[CpuState.RSP] = sp;
        cpu.State->Rip = entry;
        var (hostIgnored, hostBlocked) = cli.IgnoredSignals is { } && cli.BlockedSignals is { } ? (0UL, 0UL) : InheritedSignals.FromHost();
        InheritedSignals.SetIgnored(proc.Signals, cli.IgnoredSignals ?? hostIgnored);
        cpu.SignalMask = (cli.BlockedSignals ?? hostBlocked) & ~((1UL << (Signals.SIGKILL - 1)) | (1UL << (Signals.SIGSTOP - 1)));
        proc.Threads.Add(cpu);
        StartupWarmUp.Wait();
        HostCallInterrupt.Install();
        HostSignalForwarding.Start(proc, InheritedSignals.Ignored(proc.Signals) | cpu.SignalMask);
        // The runtime's descriptors are open (above the guest's): the guest's own limit applies from its first instruction.
        if (cli.GuestDescriptorLimit is { } nofile) EmulatorFds.RestoreDescriptorLimit(nofile);
        int status;
        try
        {
            status = new CpuLoop(cpu).Run();
            proc.CodeStore?.Commit();
        }
        catch (GuestThreadExitException e)
        {
            // The main thread called exit while others run: the process lives until the last thread exits.
            GuestThreadStarter.Exit(cpu, e.Status);
            status = proc.Threads.WaitForAll();
            proc.CodeStore?.Commit();
        }
        catch (GuestTerminatedBySignalException)
        {
            // A run that dies keeps nothing (its blocks are as good, but a crash loop should not rewrite the file).
            proc.CodeStore?.Discard();
            RobustList.CleanupAll(proc);
            throw;
        }
        finally
        {
            if (proc.Stats.Enabled) options.Log.WriteLine(proc.Stats.Format(proc.Code, proc.NativeCode));
            options.Log.Flush();
        }
        RobustList.CleanupAll(proc);
        strace?.OnProcessEnd(status, 0);
        // exit_group ends every thread at once: no other guest thread may run (or print) while the runtime shuts down.
        if (proc.Threads.Count > 1) HostExit.ExitProcess(status);
        return status;
    }

    static string TruncateComm(string name) => name.Length > 15 ? name[..15] : name;

    /// <summary>The guest sees the emulator's environment with -E/-U applied, as with qemu.</summary>
    static string[] GuestEnvironment(CliOptions cli)
    {
        var env = UserEmu.Host.HostExec.StartupEnvironment();
        foreach (var name in cli.HiddenEnv) env.RemoveAll(e => e.StartsWith(name + "=", StringComparison.Ordinal));
        if (cli.FromExecve) return env.ToArray();
        foreach (var name in cli.UnsetEnv) env.RemoveAll(e => e.StartsWith(name + "=", StringComparison.Ordinal));
        foreach (var setting in cli.SetEnv)
        {
            int eq = setting.IndexOf('=');
            if (eq <= 0) throw new UsageException($"-E needs var=value, got '{setting}'");
            string name = setting[..(eq + 1)];
            env.RemoveAll(e => e.StartsWith(name, StringComparison.Ordinal));
            env.Add(setting);
        }
        return env.ToArray();
    }
}
