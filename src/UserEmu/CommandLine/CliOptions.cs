using UserEmu.Engine;

namespace UserEmu.Cli.CommandLine;

/// <summary>Everything the command line says: emulator options plus the guest program, its argv and environment edits.</summary>
public sealed class CliOptions
{
    public EmulatorOptions Emulator { get; } = new();
    public string? Program { get; set; }
    public string[] ProgramArgs { get; set; } = [];
    /// <summary>-0: argv[0] for the guest instead of the program path.</summary>
    public string? Argv0 { get; set; }
    public List<string> SetEnv { get; } = new();
    public List<string> UnsetEnv { get; } = new();
    public string? LogFile { get; set; }
    /// <summary>-execve: this emulator replaces a guest that called execve; its environment is the guest's envp, unedited.</summary>
    public bool FromExecve { get; set; }
    /// <summary>Signal state carried over an execve; null: taken from the host process as started.</summary>
    public ulong? IgnoredSignals { get; set; }
    public ulong? BlockedSignals { get; set; }
    /// <summary>-guest-fds: descriptors the exec'ing guest left open (see EmulatorFds); null for the first emulator.</summary>
    public List<int>? GuestFds { get; set; }
    /// <summary>-guest-nofile: the soft descriptor limit the exec'ing guest had, which the exec raised for the emulator's start-up.</summary>
    public int? GuestDescriptorLimit { get; set; }
    /// <summary>-guest-rlimits: the limits the exec'ing guest had set that only its view holds (EmulatedLimits).</summary>
    public string? GuestLimits { get; set; }
    /// <summary>-guest-itimers: the itimers the exec'ing guest had armed, which an execve keeps.</summary>
    public string? GuestItimers { get; set; }
    /// <summary>-hide-env: variables the emulator set for its own runtime, not part of the guest environment.</summary>
    public List<string> HiddenEnv { get; } = new();
    public bool ShowHelp { get; set; }
    public bool ShowVersion { get; set; }
    /// <summary>-cpu help: list the CPU models.</summary>
    public bool ListCpus { get; set; }
}
