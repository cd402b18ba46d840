namespace UserEmu.Host;

/// <summary>Host signal handling in a forked child: the runtime's forwarding of termination signals must not reach the parent.</summary>
/// <remarks>
/// The emulator's forwarding handler (<see cref="HostSignalForwarding"/>) and the .NET runtime's (SIGTERM, and SIGINT,
/// SIGQUIT, SIGCHLD, SIGCONT, SIGWINCH... once Console or Process is used) write the signal number into a pipe read by
/// a thread. A forked child shares those pipes with its parent but not the threads, so a SIGTERM sent to the child
/// would be acted on by the parent. In the child, every such handler goes back to the default action (or to SIG_IGN
/// where the guest ignores the signal). The fault signals (SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV) and the
/// runtime's real-time signals keep their handlers: the runtime handles those in the thread that raised them.
/// </remarks>
public static unsafe class ForkedChildSignals
{
    const int SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7, SIGFPE = 8, SIGKILL = 9, SIGSEGV = 11, SIGSTOP = 19;
    /// <summary>glibc's struct sigaction: handler, 128-byte mask, flags, restorer.</summary>
    const int SigactionSize = 152;

    /// <param name="guestIgnored">Signals the guest ignores (bit n-1 for signal n): those become SIG_IGN instead.</param>
    public static void Reset(ulong guestIgnored)
    {
        byte* old = stackalloc byte[SigactionSize];
        byte* act = stackalloc byte[SigactionSize];
        for (int sig = 1; sig < 32; sig++)
        {
            if (sig is SIGILL or SIGTRAP or SIGABRT or SIGBUS or SIGFPE or SIGSEGV or SIGKILL or SIGSTOP) continue;
            if (LibC.sigaction(sig, null, old) != 0) continue;
            nint handler = *(nint*)old;
            if (handler is 0 or 1) continue; // SIG_DFL, SIG_IGN: nothing of the runtime's
            new Span<byte>(act, SigactionSize).Clear();
            *(nint*)act = (nint)((guestIgnored >> (sig - 1)) & 1);
            LibC.sigaction(sig, act, null);
        }
    }
}
