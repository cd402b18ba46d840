namespace UserEmu.Syscalls.Strace;

/// <summary>Signal names (SIGSEGV, SIGRTMIN+3) and sigset rendering ([INT TERM]) as strace prints them.</summary>
public static class SignalNames
{
    static readonly string[] Names =
    [
        "0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV",
        "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU",
        "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    ];

    public static string Name(int sig) => sig switch
    {
        > 0 and < 32 => Names[sig],
        // strace names the kernel's first real-time signal SIGRTMIN (glibc reserves 32 and 33 for itself).
        32 => "SIGRTMIN",
        > 32 and <= 64 => $"SIGRT_{sig - 32}",
        _ => sig.ToString(),
    };

    /// <summary>A sigset_t as strace shows it: [HUP INT], or ~[...] when more than half the signals are set.</summary>
    public static string Set(ulong mask)
    {
        if (mask == 0) return "[]";
        bool invert = System.Numerics.BitOperations.PopCount(mask) > 32;
        ulong shown = invert ? ~mask : mask;
        var parts = new List<string>();
        for (int s = 1; s <= 64; s++)
            if ((shown & (1UL << (s - 1))) != 0) parts.Add(Name(s).StartsWith("SIG", StringComparison.Ordinal) ? Name(s)[3..] : Name(s));
        return (invert ? "~[" : "[") + string.Join(' ', parts) + "]";
    }
}
