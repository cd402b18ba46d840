using UserEmu.Memory;

namespace UserEmu.Engine;

/// <summary>The guest process: address space, translated code and what the kernel would know about it.</summary>
public sealed class GuestProcess
{
    public required GuestAddressSpace Memory { get; init; }
    public required EmulatorOptions Options { get; init; }
    public required IGuestFrontend Frontend { get; init; }
    public required ISyscallBridge Syscalls { get; set; }
    public TranslationCache Code { get; } = new();
    /// <summary>The native tier's code, counters and block ids (reset with each translation cache flush).</summary>
    public Backend.Native.NativeCodeArena NativeCode { get; } = new();
    /// <summary>Where native code's indirect jumps continue (filled by the dispatchers).</summary>
    public Backend.Native.NativeJumpTable NativeJumps => LazyInitializer.EnsureInitialized(ref _nativeJumps);

    /// <summary>The vCPU a block whose IR was dropped is translated again with (translation reads only its process and memory): the process's own, since a guest thread's vCPU lives no longer than its blocks should keep it (its jump cache is 128 KiB).</summary>
    internal Vcpu Retranslator => LazyInitializer.EnsureInitialized(ref _retranslator, () => new Vcpu(this));
    Vcpu? _retranslator;
    Backend.Native.NativeJumpTable? _nativeJumps;
    /// <summary>The Stopwatch timestamp from which warm blocks go to the native tier (<see cref="EmulatorOptions.NativeDelayMs"/>); 0 until the first guest thread starts.</summary>
    public long NativeFrom;
    /// <summary>Translates warm blocks to native code off the vCPU threads (created on first use, once the options are set).</summary>
    public NativeCompileWorker NativeWorker => LazyInitializer.EnsureInitialized(ref _nativeWorker, () => new NativeCompileWorker(this));
    NativeCompileWorker? _nativeWorker;
    /// <summary>Compiles hot code into IL regions (see <see cref="RegionCompiler"/>).</summary>
    public RegionCompiler Compiler { get; }
    public GuestSignals Signals { get; }

    public GuestProcess()
    {
        Signals = new GuestSignals(this);
        Compiler = new RegionCompiler(this);
        Exclusive.Ended = Signals.ClearInterruptIfIdle;
        Exclusive.Interrupting = Signals.InterruptAll;
    }
    /// <summary>
    /// Drops every translation when <paramref name="drop"/> does (QEMU's tb_flush), with the other threads parked at
    /// block boundaries (the native code it frees may be running) and the compile thread idle (it may be placing code).
    /// </summary>
    public void FlushTranslations(Func<bool> drop)
    {
        Exclusive.Begin(Threads.Count - 1);
        try
        {
            NativeWorker.WhileIdle(() =>
            {
                if (!drop()) return;
                _nativeJumps?.Clear();
                NativeCode.Reset();
            });
        }
        finally
        {
            Exclusive.End();
        }
    }

    /// <summary>
    /// Before a second guest thread shares the address space: code pages are no longer write-protected, and native
    /// code compiled without the code-page test of its stores is dropped (see <see cref="GuestAddressSpace.ProtectsCodePages"/>).
    /// </summary>
    public void StopProtectingCodePages()
    {
        if (!Memory.ProtectsCodePages) return;
        Memory.StopProtectingCodePages();
        FlushTranslations(() => Stats.NativeBlocks != 0 && Code.Flush());
    }

    /// <summary>Futex wait queues of this address space (created on first use).</summary>
    public Threads.FutexTable Futexes => LazyInitializer.EnsureInitialized(ref _futexes, () => new Threads.FutexTable(Memory));
    Threads.FutexTable? _futexes;
    /// <summary>Live guest threads (the thread group), for exit vs exit_group and /proc.</summary>
    public Threads.ThreadGroup Threads { get; } = new();
    public EngineStats Stats { get; } = new();
    /// <summary>Parks the other threads while one forks.</summary>
    public ExclusiveSection Exclusive { get; } = new();
    /// <summary>
    /// How this emulator re-executes itself for a guest execve: the host program (and, under `dotnet`, its assembly)
    /// followed by the options this process was started with. Empty when the process was not started from the CLI.
    /// </summary>
    public string[] ReexecCommand { get; set; } = [];
    /// <summary>Translations kept from earlier runs of the program and for later ones; null when off.</summary>
    public CodeCache.PersistentCodeCache? CodeStore { get; set; }
    /// <summary>The CPU model advertised through CPUID, AT_HWCAP and /proc/cpuinfo.</summary>
    public UserEmu.Cpu.X86.CpuModel CpuModel { get; init; } = UserEmu.Cpu.X86.CpuModel.Default;

    /// <summary>Absolute host path of the guest executable (/proc/self/exe).</summary>
    public string ExePath { get; set; } = "";
    public string[] Argv { get; set; } = [];
    public string[] Envp { get; set; } = [];
    /// <summary>The auxiliary vector as given to the guest (/proc/self/auxv): pairs of (type, value).</summary>
    public ulong[] Auxv { get; set; } = [];
    /// <summary>Guest address of the program's entry point and of its initial stack pointer.</summary>
    public ulong Entry { get; set; }
    /// <summary>Where argv and environment strings lie on the initial stack (/proc/self/stat fields).</summary>
    public ulong ArgStart { get; set; }
    public ulong ArgEnd { get; set; }
    public ulong EnvStart { get; set; }
    public ulong EnvEnd { get; set; }
    public ulong InitialSp { get; set; }
    /// <summary>Comm name (PR_SET_NAME), 15 bytes max.</summary>
    public string Comm { get; set; } = "";

    /// <summary>In the child of a host fork: only <paramref name="survivor"/> exists, with the child's id.</summary>
    /// <remarks>Futex waiters of threads that were not copied are forgotten with their queue table.</remarks>
    public void AfterFork(Vcpu survivor, int tid)
    {
        survivor.Tid = tid;
        Threads.RetainOnly(survivor);
        _futexes = null;
        _nativeWorker?.AfterForkInChild();
        CodeStore?.StopRecording();
        Exclusive.ResetAfterFork();
        // The fork's section had interrupted every thread, this one included.
        Signals.ClearInterruptIfIdle();
    }
}
