using System.Runtime.InteropServices;
using UserEmu.Engine;

namespace UserEmu.Host;

/// <summary>Signals sent to the emulator from outside (terminal SIGINT, kill -TERM, SIGCHLD...) become process-directed guest signals.</summary>
/// <remarks>
/// A host handler in machine code (<see cref="NativeSignalHandler"/>) writes each signal's number into a pipe; a
/// thread of the emulator's own reads it and queues the signal to the guest (delivery at the next block boundary; a
/// thread blocked in a host call is kicked out). No runtime thread-pool work is involved (the runtime's own
/// PosixSignalRegistration dispatches on the pool, whose thread starts and JIT work hung forked children), and the
/// reader blocks through <see cref="ForkGate"/>, which holds it in native code across a fork. A forked child that
/// does not exec gets the host's default actions (<see cref="AfterForkInChild"/>). Not forwarded: SIGRTMIN (34, the
/// runtime's activation signal), <see cref="HostCallInterrupt.KickSignal"/>, the job-control stops (the emulator stops
/// as the process would), SIGPIPE (ignored by the runtime at startup) and the synchronous signals (SIGSEGV, SIGILL,
/// SIGFPE, SIGBUS, SIGTRAP), which the runtime needs. The guest's default action then ends the emulator with the same
/// signal (<see cref="HostExit.DieBySignal"/>).
/// </remarks>
public static unsafe class HostSignalForwarding
{
    const int O_CLOEXEC = 0x80000, O_NONBLOCK = 0x800, F_SETFL = 4, SYS_fcntl = 72;
    const int SA_RESTART = 0x10000000;
    /// <summary>glibc's struct sigaction: handler, 128-byte mask, flags, restorer.</summary>
    const int SigactionSize = 152, SigactionFlags = 136;
    static readonly Lock s_lock = new();
    // The pipe's read and write ends, in native memory: the handler reads the write end's number from here, so the
    // pipe can move when the guest takes its numbers (Relocate).
    static readonly int* s_fds = (int*)NativeMemory.Alloc(2 * sizeof(int));
    /// <summary>The installed handler's address (0 until the first signal is caught).</summary>
    public static nint Handler { get; private set; }

    /// <summary>
    /// After a host fork, in the child: forwarding stops (ForkedChildSignals puts the host defaults back). The child
    /// shares the pipe with the parent, and cannot start a reader of its own: creating a thread in a forked .NET process
    /// was measured to hang on a runtime lock in about half of the children of a busy parent (a fork loop under a
    /// SIGCHLD handler), so a forked child that does not exec gets the host's default actions, as before.
    /// </summary>
    public static void AfterForkInChild() => Volatile.Write(ref s_process, null); // no lock: a guest thread may have held it

    static void StartReader()
    {
        var process = s_process!;
        int* gate = ForkGate.Create();
        HostThread.Start(() => ReadLoop(process, gate), "useremu signals");
    }

    static void ReadLoop(GuestProcess process, int* gate)
    {
        const int SYS_read = 0, EINTR = 4;
        byte* buf = stackalloc byte[64];
        while (true)
        {
            long n = ForkGate.Syscall(gate, SYS_read, Volatile.Read(ref s_fds[0]), (long)buf, 64, 0);
            if (n == -EINTR) continue;
            if (n <= 0) break;
            for (int k = 0; k < n; k++) process.Signals.QueueToProcess(new GuestSignalInfo(buf[k], 0 /* SI_USER */));
        }
        ForkGate.Leave(gate);
    }

    /// <summary>Creates the pipe, its reader and the handler (under s_lock). False if the host refuses a step.</summary>
    static bool EnsureHandler()
    {
        if (Handler != 0) return true;
        int* fds = stackalloc int[2];
        if (LibC.pipe2(fds, O_CLOEXEC) != 0) return false;
        s_fds[0] = EmulatorFds.MoveAboveGuest(fds[0]);
        s_fds[1] = EmulatorFds.MoveAboveGuest(fds[1]);
        // A full pipe must not block the handler: the signal is already pending in the guest's terms once one byte is in.
        LibC.syscall(SYS_fcntl, s_fds[1], F_SETFL, O_NONBLOCK, 0, 0, 0);
        EmulatorFds.BeforeGuestTakes += Relocate;
        StartReader();
        Handler = NativeSignalHandler.Create(&s_fds[1]);
        return true;
    }

    /// <summary>
    /// Moves the pipe end at <paramref name="fd"/> to another number before the guest's dup2 takes that one (the
    /// handler would otherwise write into the guest's file).
    /// </summary>
    static void Relocate(int fd)
    {
        for (int k = 0; k < 2; k++)
        {
            if (Volatile.Read(ref s_fds[k]) != fd) continue;
            int moved = EmulatorFds.CopyAboveGuest(fd);
            if (moved < 0) return;
            Volatile.Write(ref s_fds[k], moved);
        }
    }

    static IEnumerable<int> Forwarded()
    {
        int[] standard = [Signals.SIGHUP, Signals.SIGINT, Signals.SIGQUIT, Signals.SIGUSR1, Signals.SIGUSR2, Signals.SIGALRM,
            Signals.SIGTERM, Signals.SIGCHLD, Signals.SIGCONT, Signals.SIGURG, Signals.SIGXCPU, Signals.SIGXFSZ,
            Signals.SIGVTALRM, Signals.SIGPROF, Signals.SIGWINCH, Signals.SIGIO, Signals.SIGPWR, Signals.SIGSYS, Signals.SIGSTKFLT];
        foreach (int s in standard) yield return s;
        for (int s = 35; s < HostCallInterrupt.KickSignal; s++) yield return s;
    }

    static GuestProcess? s_process;
    static ulong s_registered, s_forwardable;

    /// <summary>Forwards to <paramref name="process"/> the signals in <paramref name="needed"/> (bit n-1 for signal n), then whatever <see cref="Need"/> asks for.</summary>
    /// <remarks>
    /// A host signal is caught only once the guest does something with it (a handler, SIG_IGN, blocking it): under the
    /// default disposition the host's own default (terminate, ignore) is already what the guest would get.
    /// </remarks>
    public static void Start(GuestProcess process, ulong needed)
    {
        lock (s_lock)
        {
            s_process = process;
            foreach (int sig in Forwarded()) s_forwardable |= 1UL << (sig - 1);
        }
        Need(needed);
    }

    /// <summary>The guest now handles, ignores or blocks the signals in <paramref name="set"/>: catch those on the host.</summary>
    public static void Need(ulong set)
    {
        if ((set & s_forwardable & ~Volatile.Read(ref s_registered)) == 0) return;
        lock (s_lock)
        {
            if (s_process == null) return;
            ulong todo = set & s_forwardable & ~s_registered;
            if (todo == 0 || !EnsureHandler()) return;
            byte* act = stackalloc byte[SigactionSize];
            new Span<byte>(act, SigactionSize).Clear();
            *(nint*)act = Handler;
            *(int*)(act + SigactionFlags) = SA_RESTART;
            for (int sig = 1; sig <= 64; sig++)
            {
                if ((todo & (1UL << (sig - 1))) == 0) continue;
                // A signal the host refuses to let us catch stays with its host default.
                LibC.sigaction(sig, act, null);
                s_registered |= 1UL << (sig - 1);
            }
        }
    }
}
