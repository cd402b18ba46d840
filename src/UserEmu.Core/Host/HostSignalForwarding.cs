using System.Runtime.InteropServices;
using UserEmu.Engine;

namespace UserEmu.Host;

/// <summary>Signals sent to the emulator from outside (terminal SIGINT, kill -TERM, SIGWINCH...) become process-directed guest signals.</summary>
/// <remarks>
/// Uses PosixSignalRegistration: the runtime's handler records the signal and a managed thread runs ours, which
/// queues it to the guest (delivery at the next block boundary; a thread blocked in a host call is kicked out).
/// Measured on .NET 10 / Linux: registration works for every number tried (raw numbers included) and delivery works
/// for all of them except SIGPIPE, which the runtime ignores at startup. Not forwarded: SIGRTMIN (34, the runtime's
/// activation signal), <see cref="HostCallInterrupt.KickSignal"/>, the job-control stops (the emulator stops as the
/// process would), and the synchronous signals (SIGSEGV, SIGILL, SIGFPE, SIGBUS, SIGTRAP), which the runtime needs.
/// The guest's default action then ends the emulator with the same signal (<see cref="HostExit.DieBySignal"/>).
/// </remarks>
public static class HostSignalForwarding
{
    static readonly List<PosixSignalRegistration> Registrations = new();
    // Forwarding callbacks run on thread-pool threads; a fork must not copy one in the middle of its work (a lock it
    // holds would never be released in the child, which then hangs).
    static int s_active;
    static volatile bool s_forking;

    /// <summary>Before a host fork: waits (at most 200 ms) until no forwarding callback is running and holds new ones back.</summary>
    public static void BeforeFork()
    {
        s_forking = true;
        long deadline = System.Diagnostics.Stopwatch.GetTimestamp() + System.Diagnostics.Stopwatch.Frequency / 5;
        while (Volatile.Read(ref s_active) > 0 && System.Diagnostics.Stopwatch.GetTimestamp() < deadline) Thread.Yield();
    }

    /// <summary>After a host fork, in the parent and in the child.</summary>
    public static void AfterFork() => s_forking = false;

    static void Forward(GuestProcess process, int sig)
    {
        while (true)
        {
            while (s_forking) Thread.Sleep(1);
            Interlocked.Increment(ref s_active);
            if (!s_forking) break;
            Interlocked.Decrement(ref s_active);
        }
        try
        {
            process.Signals.QueueToProcess(new GuestSignalInfo(sig, 0 /* SI_USER */));
        }
        finally
        {
            Interlocked.Decrement(ref s_active);
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
    /// default disposition the host's own default (terminate, ignore) is already what the guest would get. Catching less
    /// also keeps the runtime's signal dispatch, which runs on thread-pool threads, away from fork (every SIGCHLD of a
    /// fork loop went through it, and a fork that copied it mid-work left a child hung on a runtime lock).
    /// </remarks>
    public static void Start(GuestProcess process, ulong needed)
    {
        lock (Registrations)
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
        lock (Registrations)
        {
            var process = s_process;
            if (process == null) return;
            ulong todo = set & s_forwardable & ~s_registered;
            for (int sig = 1; sig <= 64; sig++)
            {
                if ((todo & (1UL << (sig - 1))) == 0) continue;
                int s = sig;
                try
                {
                    Registrations.Add(PosixSignalRegistration.Create((PosixSignal)s, ctx =>
                    {
                        ctx.Cancel = true;
                        Forward(process, s);
                    }));
                }
                catch (Exception e) when (e is PlatformNotSupportedException or IOException or ArgumentOutOfRangeException)
                {
                    // A signal the runtime will not hand over stays with its host default.
                }
                s_registered |= 1UL << (sig - 1);
            }
        }
    }
}
