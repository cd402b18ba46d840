using System.Runtime.InteropServices;

namespace UserEmu.Host;

/// <summary>Ends the emulator the way the guest ended, so the parent sees the same wait status.</summary>
public static unsafe partial class HostExit
{
    const int RLIMIT_CORE = 4;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, ulong* rlim);

    /// <summary>Runs just before the process ends through this class: (exit status, 0) or (0, killing signal). Set by the tracer.</summary>
    public static Action<int, int>? BeforeExit { get; set; }

    /// <summary>Kills this process with <paramref name="signal"/>: default disposition, unblocked, no core file of the emulator.</summary>
    public static void DieBySignal(int signal)
    {
        BeforeExit?.Invoke(0, signal);
        HostStderr.Messages.Flush();
        ulong* lim = stackalloc ulong[2];
        setrlimit(RLIMIT_CORE, lim);
        // struct sigaction with SIG_DFL and an empty mask (the runtime installed its own handlers).
        byte* act = stackalloc byte[152];
        new Span<byte>(act, 152).Clear();
        LibC.sigaction(signal, act, null);
        ulong set = 1UL << (signal - 1);
        LibC.sigprocmask(1 /* SIG_UNBLOCK */, &set, null);
        LibC.kill(LibC.getpid(), signal);
        // Signals whose default is to ignore or stop do not end us; exit as a shell would report it.
        LibC._exit(128 + signal);
    }

    /// <summary>Ends the whole process at once with <paramref name="status"/> (exit_group from a secondary thread).</summary>
    public static void ExitProcess(int status)
    {
        BeforeExit?.Invoke(status, 0);
        HostStderr.Messages.Flush();
        LibC._exit(status);
    }
}
