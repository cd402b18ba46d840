using UserEmu.Cli.CommandLine;
using UserEmu.Cpu.X86;
using UserEmu.Cpu.X86.Signals;
using UserEmu.Engine;
using UserEmu.Engine.Threads;
using UserEmu.Frontend.X86;
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
        var image = ElfLoader.Load(mem, program);
        ulong entry = image.Entry, interpBase = 0;
        if (image.Interpreter != null)
        {
            string interpPath = SysRoot.Resolve(options.SysRoot, image.Interpreter)
                ?? throw new ExecFormatException($"interpreter {image.Interpreter} not found under sysroot {options.SysRoot}", 127);
            var interp = ElfLoader.Load(mem, interpPath, isInterpreter: true);
            entry = interp.Entry;
            interpBase = interp.LoadBias;
        }

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
        var strace = StraceSetup.Attach(proc, bridge, options);
        proc.Stats.Enabled = options.Debug("stats");
        proc.Signals.Delivery = new X86SignalFrame();
        mem.CodePageWritten = proc.Code.InvalidatePage;

        string[] argv = [cli.Argv0 ?? program, .. cli.ProgramArgs];
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
        proc.Threads.Add(cpu);
        try
        {
            int status = new CpuLoop(cpu).Run();
            strace?.OnProcessEnd(status, 0);
            return status;
        }
        catch (GuestThreadExitException e)
        {
            // The main thread called exit while others run: the process lives until the last thread exits.
            GuestThreadStarter.Exit(cpu, e.Status);
            int status = proc.Threads.WaitForAll();
            strace?.OnProcessEnd(status, 0);
            return status;
        }
        finally
        {
            if (proc.Stats.Enabled) options.Log.WriteLine(proc.Stats.Format(proc.Code));
            options.Log.Flush();
        }
    }

    static string TruncateComm(string name) => name.Length > 15 ? name[..15] : name;

    /// <summary>The guest sees the emulator's environment with -E/-U applied, as with qemu.</summary>
    static string[] GuestEnvironment(CliOptions cli)
    {
        var env = new List<string>();
        foreach (System.Collections.DictionaryEntry kv in Environment.GetEnvironmentVariables())
            env.Add($"{kv.Key}={kv.Value}");
        env.Sort(StringComparer.Ordinal);
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
