using System.Runtime.InteropServices;

namespace UserEmu.Host;

/// <summary>
/// Keeps the emulator's own helper threads (signal reader, kick retrier) out of managed code across a host fork.
/// </summary>
/// <remarks>
/// A thread that runs managed code at the instant of a fork can hold a runtime lock, and the runtime in the child still
/// believes it runs managed code, so the child's first garbage collection waits for it forever. Each helper thread
/// therefore blocks only through <see cref="Syscall"/>, machine code that marks its gate word "in native code" before
/// the system call and goes back to managed code only by moving the word from "in native" to "in managed", waiting
/// while it says "forking". <see cref="BeforeFork"/> moves every gate from "in native" to "forking" (waiting out a
/// thread that is in managed code), so no helper thread is in managed code during the fork.
/// </remarks>
public static unsafe class ForkGate
{
    internal const int InNative = 0, InManaged = 1, Forking = 2;
    const int SYS_futex = 202, FUTEX_WAIT = 0, FUTEX_WAKE = 1;

    static readonly Lock s_lock = new();
    static readonly List<nint> s_gates = new();
    static nint s_syscall;

    /// <summary>A new gate for a helper thread about to start (it counts as in managed code until its first <see cref="Syscall"/>).</summary>
    public static int* Create()
    {
        lock (s_lock)
        {
            if (s_syscall == 0) s_syscall = NativeSignalHandler.CreateGatedSyscall();
            var gate = (int*)NativeMemory.AllocZeroed(sizeof(int));
            *gate = InManaged;
            s_gates.Add((nint)gate);
            return gate;
        }
    }

    /// <summary>Makes system call <paramref name="nr"/> through <paramref name="gate"/>; returns its raw result (-errno on failure).</summary>
    public static long Syscall(int* gate, long nr, long a0, long a1, long a2, long a3) =>
        ((delegate* unmanaged<int*, long, long, long, long, long, long>)s_syscall)(gate, nr, a0, a1, a2, a3);

    /// <summary>Marks a helper thread that is leaving for good (nothing to wait for at a fork).</summary>
    public static void Leave(int* gate) => Volatile.Write(ref *gate, InNative);

    /// <summary>Before a host fork: waits (at most 1 s) until every helper thread is in native code, and keeps it there.</summary>
    /// <remarks>
    /// Not under the lock: a helper thread in managed code may be about to take it, to create the gate of a thread it
    /// starts (the signal reader's first kick of a guest thread starts the kick retrier), and waiting for it while
    /// holding the lock stalled the fork for the whole second (half the runs of a busybox sh loop forking under
    /// SIGCHLD: 1.3 s instead of 0.37 s). A gate created meanwhile is waited for in the next round.
    /// </remarks>
    public static void BeforeFork()
    {
        long deadline = System.Diagnostics.Stopwatch.GetTimestamp() + System.Diagnostics.Stopwatch.Frequency;
        int done = 0;
        while (true)
        {
            nint[] gates;
            lock (s_lock)
            {
                if (done == s_gates.Count) return;
                gates = s_gates.ToArray();
            }
            for (int k = done; k < gates.Length; k++)
            {
                var gate = (int*)gates[k];
                while (Interlocked.CompareExchange(ref *gate, Forking, InNative) == InManaged
                       && System.Diagnostics.Stopwatch.GetTimestamp() < deadline)
                    Thread.Yield();
            }
            done = gates.Length;
        }
    }

    /// <summary>After a host fork, in the parent: lets the helper threads go on.</summary>
    public static void AfterForkInParent()
    {
        lock (s_lock)
        {
            foreach (int* gate in s_gates)
                if (Interlocked.CompareExchange(ref *gate, InNative, Forking) == Forking) FutexWake(gate);
        }
    }

    /// <summary>After a host fork, in the child: the helper threads did not come along.</summary>
    public static void AfterForkInChild()
    {
        // No lock: the parent's helper threads, which the child does not have, never take it, but a guest thread might
        // have held it at the fork.
        foreach (int* gate in s_gates.ToArray()) *gate = InNative;
    }

    /// <summary>Futex wait on <paramref name="word"/> while it holds <paramref name="expected"/>, through <paramref name="gate"/>; null timeout waits for ever.</summary>
    public static long FutexWait(int* gate, int* word, int expected, long* timeout) =>
        Syscall(gate, SYS_futex, (long)word, FUTEX_WAIT, expected, (long)timeout);

    public static void FutexWake(int* word) => LibC.syscall(SYS_futex, (long)word, FUTEX_WAKE, int.MaxValue, 0, 0, 0);
}
