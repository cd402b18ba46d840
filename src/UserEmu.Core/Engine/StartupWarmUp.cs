using System.Runtime.CompilerServices;
using UserEmu.Backend.Native;
using UserEmu.Cpu.X86;
using UserEmu.Frontend.X86;
using UserEmu.IR;

namespace UserEmu.Engine;

/// <summary>
/// Start-up work done on a second thread while the main thread parses options and loads the program: the instruction
/// tables, and one small block compiled to native code (the encoder's tables, the compiler's and runner's first calls).
/// </summary>
/// <remarks>
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
        var b = new IrBuilder();
        b.InsnStart(0x1000);
        ushort x = b.LoadState(CpuState.GprOffset(0), 8);
        ushort v = b.Load(b.Add(x, b.Const(8)), 8);
        b.Store(b.Add(x, b.Const(16)), b.Add(v, b.Const(1)), 8);
        b.StoreState(CpuState.GprOffset(1), 8, v);
        b.Branch(v, 0x1000, 0x2000);
        var block = PreparedBlock.Prepare(Optimizer.IrOptimizer.Run(b.Finish(0x1000, 0x1010)));
        var arena = new NativeCodeArena();
        NativeBlockCompiler.Compile(block, arena, chain: true, regionThreshold: 200000);
        arena.Reset();
        RuntimeHelpers.RunClassConstructor(typeof(NativeBlockRunner).TypeHandle);
    }
}
