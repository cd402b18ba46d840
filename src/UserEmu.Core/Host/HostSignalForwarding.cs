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

    static IEnumerable<int> Forwarded()
    {
        int[] standard = [Signals.SIGHUP, Signals.SIGINT, Signals.SIGQUIT, Signals.SIGUSR1, Signals.SIGUSR2, Signals.SIGALRM,
            Signals.SIGTERM, Signals.SIGCHLD, Signals.SIGCONT, Signals.SIGURG, Signals.SIGXCPU, Signals.SIGXFSZ,
            Signals.SIGVTALRM, Signals.SIGPROF, Signals.SIGWINCH, Signals.SIGIO, Signals.SIGPWR, Signals.SIGSYS, Signals.SIGSTKFLT];
        foreach (int s in standard) yield return s;
        for (int s = 35; s < HostCallInterrupt.KickSignal; s++) yield return s;
    }

    /// <summary>Starts forwarding to <paramref name="process"/> (once per emulator process).</summary>
    public static void Start(GuestProcess process)
    {
        lock (Registrations)
        {
            if (Registrations.Count != 0) return;
            foreach (int sig in Forwarded())
            {
                try
                {
                    Registrations.Add(PosixSignalRegistration.Create((PosixSignal)sig, ctx =>
                    {
                        ctx.Cancel = true;
                        process.Signals.QueueToProcess(new GuestSignalInfo(sig, 0 /* SI_USER */));
                    }));
                }
                catch (Exception e) when (e is PlatformNotSupportedException or IOException or ArgumentOutOfRangeException)
                {
                    // A signal the runtime will not hand over stays with its host default.
                }
            }
        }
    }
}
