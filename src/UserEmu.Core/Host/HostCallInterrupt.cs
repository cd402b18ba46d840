using System.Runtime.InteropServices;
using UserEmu.Engine;

namespace UserEmu.Host;

/// <summary>Interrupts a guest thread's blocking host syscall (read, nanosleep, poll...) so a guest signal can be delivered: the kernel's signal_wake_up.</summary>
/// <remarks>
/// A host signal (<see cref="KickSignal"/>) is sent to the host thread; its handler is a native `ret` and is installed
/// without SA_RESTART, so the blocking call returns EINTR, which the syscall bridge turns into the guest's
/// -ERESTART* handling. A kick can land just before the thread enters the call (then it is lost), so a background
/// thread repeats it, backing off from 1 ms, while the target is still inside the call with a signal to take (as
/// QEMU's safe_syscall closes the same window with code-address checks, which .NET cannot do).
/// </remarks>
public static unsafe partial class HostCallInterrupt
{
    /// <summary>SIGRTMAX: the .NET runtime uses SIGRTMIN, glibc 32 and 33; guests seldom get SIGRTMAX from outside.</summary>
    public const int KickSignal = 64;

    static readonly Lock Sync = new();
    static readonly List<Vcpu> Kicked = new();
    static bool _installed;
    static nint _retrier;
    // Set to 1 (and woken) when there is a new kick to watch; the retrier waits on it through its ForkGate.
    static readonly int* More = (int*)NativeMemory.AllocZeroed(sizeof(int));
    static int* _gate;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int tgkill(int tgid, int tid, int sig);

    [LibraryImport("libc")]
    private static partial int gettid();

    /// <summary>The calling host thread's id.</summary>
    public static int CurrentHostTid() => gettid();

    /// <summary>Installs the kick handler (once per process).</summary>
    public static void Install()
    {
        lock (Sync)
        {
            if (_installed) return;
            ReadOnlySpan<byte> ret = RuntimeInformation.ProcessArchitecture == Architecture.Arm64
                ? [0xC0, 0x03, 0x5F, 0xD6] // ret
                : [0xC3];                  // ret
            nint page = NativeSignalHandler.Place(ret);
            // glibc struct sigaction: handler, sa_mask[128], sa_flags, sa_restorer (152 bytes); no SA_RESTART.
            byte* act = stackalloc byte[152];
            new Span<byte>(act, 152).Clear();
            *(nint*)act = page;
            if (LibC.sigaction(KickSignal, act, null) != 0) throw new InvalidOperationException("sigaction for the kick signal failed");
            ulong set = 1UL << (KickSignal - 1);
            LibC.sigprocmask(1 /* SIG_UNBLOCK */, &set, null);
            _installed = true;
        }
    }

    /// <summary>Kicks <paramref name="cpu"/>'s host thread out of a blocking call, and keeps doing so until it has left it.</summary>
    public static void Kick(Vcpu cpu)
    {
        if (!_installed || cpu.HostTid == 0) return;
        tgkill(LibC.getpid(), cpu.HostTid, KickSignal);
        lock (Sync)
        {
            if (!Kicked.Contains(cpu)) Kicked.Add(cpu);
            if (_retrier == 0) _retrier = StartRetrier();
        }
        Volatile.Write(ref *More, 1);
        ForkGate.FutexWake(More);
    }

    static nint StartRetrier()
    {
        _gate = ForkGate.Create();
        return HostThread.Start(Retry, "useremu kick");
    }

    /// <summary>Waits for a new kick, or <paramref name="ms"/> milliseconds (-1: no limit), in native code (see <see cref="ForkGate"/>).</summary>
    static void Wait(int ms)
    {
        if (Interlocked.Exchange(ref *More, 0) != 0) return;
        long* timeout = stackalloc long[2];
        timeout[0] = ms / 1000;
        timeout[1] = ms % 1000 * 1_000_000L;
        ForkGate.FutexWait(_gate, More, 0, ms < 0 ? null : timeout);
        Interlocked.Exchange(ref *More, 0);
    }

    static void Retry()
    {
        int delay = 1;
        while (true)
        {
            bool any;
            lock (Sync)
            {
                for (int k = Kicked.Count - 1; k >= 0; k--)
                {
                    var cpu = Kicked[k];
                    if (cpu.InHostCall == 0 || !cpu.HasDeliverableSignal) Kicked.RemoveAt(k);
                }
                any = Kicked.Count > 0;
            }
            if (!any)
            {
                Wait(-1);
                delay = 1;
                continue;
            }
            Wait(delay);
            delay = Math.Min(delay * 2, 20);
            lock (Sync)
                foreach (var cpu in Kicked)
                    if (cpu.InHostCall != 0 && cpu.HasDeliverableSignal) tgkill(LibC.getpid(), cpu.HostTid, KickSignal);
        }
    }
}
