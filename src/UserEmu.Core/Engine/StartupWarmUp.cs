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

    public static void Start()
    {
        s_thread = new Thread(Run) { IsBackground = true, Name = "useremu warm-up" };
        s_thread.Start();
    }

    public static void Wait() => s_thread?.Join();

    static void Run()
    {
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
