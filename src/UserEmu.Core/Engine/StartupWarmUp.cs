using UserEmu.Frontend.X86;

namespace UserEmu.Engine;

/// <summary>
/// Start-up work done on a second thread while the main thread parses options and loads the program: the instruction
/// tables.
/// </summary>
/// <remarks>
/// Not the native tier's tables and first compile, which it once warmed too: the main thread waits here, and those
/// (half of the thread's time, mostly the reflection of helper registration) belong to the compile thread, which
/// pays them off the critical path when a block first gets hot (busybox true 27.0 -> 24.0 ms, never compiling).
/// <see cref="Wait"/> is called before the first guest instruction runs, so the thread has ended before any guest
/// fork (a forked child has none of its parent's other threads, and one that held a runtime lock would hang it).
/// </remarks>
public static class StartupWarmUp
{
    static nint s_thread;

    public static void Start() => s_thread = UserEmu.Host.HostThread.Start(Run, "useremu warm-up");

    /// <summary>Returns once the thread has ended, its way out of the runtime included (pthread_join).</summary>
    /// <remarks>
    /// A managed Join returned while the thread's exit could still hold the runtime's wait-subsystem lock (NativeAOT),
    /// and a guest fork then left the child blocked on that lock for ever (6 hangs in 100 runs of a program that forks
    /// at once, four at a time); pthread_join returns after the thread's thread-local destructors, the runtime's detach
    /// among them, have run.
    /// </remarks>
    public static void Wait()
    {
        if (s_thread == 0) return;
        UserEmu.Host.HostThread.Join(s_thread);
        s_thread = 0;
    }

    static void Run()
    {
        _ = X86EmitterTable.Default;
        // Iced's decoder tables (static, built at the first Decoder.Create): 7% of the main thread's samples in busybox true.
        _ = Iced.Intel.Decoder.Create(64, new Iced.Intel.ByteArrayCodeReader([0x90]));
    }
}
