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
    static Thread? s_thread;
    static int s_tid;

    public static void Start()
    {
        s_thread = new Thread(Run) { IsBackground = true, Name = "useremu warm-up" };
        s_thread.Start();
    }

    public static void Wait()
    {
        if (s_thread == null) return;
        s_thread.Join();
        // The thread's way out of the runtime can still hold the runtime's wait-subsystem lock for a moment after Join
        // returns (NativeAOT), and a guest fork then leaves the child blocked on that lock for ever (6 hangs in 100
        // runs of a program that forks at once, four at a time): wait until the thread no longer exists.
        while (UserEmu.Host.LibC.syscall(SYS_tgkill, Environment.ProcessId, s_tid, 0, 0, 0, 0) == 0) Thread.Yield();
    }

    const long SYS_gettid = 186, SYS_tgkill = 234;

    static void Run()
    {
        s_tid = (int)UserEmu.Host.LibC.syscall(SYS_gettid, 0, 0, 0, 0, 0, 0);
        _ = X86EmitterTable.Default;
        // Iced's decoder tables (static, built at the first Decoder.Create): 7% of the main thread's samples in busybox true.
        _ = Iced.Intel.Decoder.Create(64, new Iced.Intel.ByteArrayCodeReader([0x90]));
    }
}
