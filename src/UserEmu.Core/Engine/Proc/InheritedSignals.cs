using System.Globalization;

namespace UserEmu.Engine.Proc;

/// <summary>The signal state a program inherits across execve: ignored dispositions and the blocked mask (bit n-1 for signal n).</summary>
/// <remarks>
/// A guest exec'd by another guest gets them from its parent emulator (-ignored-signals, -blocked-signals). The first
/// guest takes them from the host process as started, read from /proc/self/status, except SIGPIPE: the .NET runtime
/// ignores it for itself before any of our code runs, so whether the emulator's parent ignored it cannot be known,
/// and the guest starts with the default action, as nearly every program is started.
/// </remarks>
public static class InheritedSignals
{
    const ulong SigPipeBit = 1UL << (Signals.SIGPIPE - 1);

    public static ulong Ignored(GuestSignals signals)
    {
        ulong set = 0;
        lock (signals.Actions)
            for (int sig = 1; sig <= GuestSignals.MaxSignal; sig++)
                if (signals.Actions[sig].Handler == GuestSigAction.SIG_IGN) set |= 1UL << (sig - 1);
        return set;
    }

    public static void SetIgnored(GuestSignals signals, ulong set)
    {
        lock (signals.Actions)
            for (int sig = 1; sig <= GuestSignals.MaxSignal; sig++)
                if ((set >> (sig - 1) & 1) != 0 && sig is not (Signals.SIGKILL or Signals.SIGSTOP))
                    signals.Actions[sig].Handler = GuestSigAction.SIG_IGN;
    }

    /// <summary>(ignored, blocked) of the host process as it was started.</summary>
    public static (ulong Ignored, ulong Blocked) FromHost()
    {
        ulong ign = 0, blk = 0;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("SigIgn:", StringComparison.Ordinal)) ign = Hex(line);
                else if (line.StartsWith("SigBlk:", StringComparison.Ordinal)) blk = Hex(line);
            }
        }
        catch (IOException)
        {
        }
        return (ign & ~SigPipeBit, blk);
    }

    static ulong Hex(string line) => ulong.Parse(line[(line.IndexOf(':') + 1)..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
