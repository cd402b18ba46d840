using System.Runtime.InteropServices;
using Iced.Intel;
using UserEmu.Backend.Interpreter;
using UserEmu.Cpu.X86;
using UserEmu.Engine;
using UserEmu.Host;
using UserEmu.Memory;
using static Iced.Intel.AssemblerRegisters;

namespace UserEmu.Backend.Native;

/// <summary>Runs native blocks (<see cref="NativeBlockCompiler"/>) on a frame of temps, performing the ops they hand back, until one leaves for the dispatcher.</summary>
/// <remarks>
/// The call into the code suppresses the GC transition: the code neither blocks nor calls back, and returns after at
/// most <see cref="ChainBudget"/> chained blocks, so it costs no more than a call. Every op that could fault, call the
/// runtime or take long (helpers, accesses that fail the inline check) returns here first; a block whose access group
/// fails its check ends here, in the interpreter.
/// </remarks>
public static unsafe class NativeBlockRunner
{
    /// <summary>Temps in the frame: a block with more stays in the interpreter.</summary>
    public const int FrameTemps = 1024;
    /// <summary>Chained blocks per call before the code comes back (GC, signals and fork's stop-the-world are served here).</summary>
    public const int ChainBudget = 1024;

    // Set when -d stats counts the ops handed back (one process per engine).
    static EngineStats? s_stats;

    public static void CountHandBacksIn(EngineStats stats)
    {
        stats.CountHandBacks();
        s_stats = stats;
    }

    /// <summary>What the code returns in rax:rdx.</summary>
    [StructLayout(LayoutKind.Sequential)]
    struct Exit
    {
        public long Code;
        public nint Data;
    }

    // rdi = state, rsi = temps, rdx = where to start, rcx = host base, r8 = page table, r9 = page count.
    static readonly delegate* unmanaged[SuppressGCTransition]<CpuState*, ulong*, byte*, byte*, byte*, ulong, Exit> s_enter =
        (delegate* unmanaged[SuppressGCTransition]<CpuState*, ulong*, byte*, byte*, byte*, ulong, Exit>)EntryStub();

    static nint EntryStub()
    {
        // Moves the arguments into the roles the block code expects and calls it.
        // The registers that hold temps (callee-saved) are saved here once per call, not per block.
        var a = new Assembler(64);
        foreach (var r in NativeBlockCompiler.TempRegisters) a.push(new AssemblerRegister64(r));
        // r10 = the highest guest address at which an access of up to 8 bytes stays inside the guest's reservation.
        a.mov(r10, r9);
        a.shl(r10, GuestAddressSpace.PageShift);
        a.sub(r10, 8);
        a.mov(r9, r8);
        a.mov(r8, rcx);
        a.call(rdx);
        for (int k = NativeBlockCompiler.TempRegisters.Length - 1; k >= 0; k--) a.pop(new AssemblerRegister64(NativeBlockCompiler.TempRegisters[k]));
        a.ret();
        return NativeSignalHandler.Place(a);
    }

    /// <summary>Runs the block at <paramref name="code"/> (in <paramref name="arena"/>) and the blocks chained to it; <paramref name="linkSlot"/> is the unlinked direct exit taken last (0 if none).</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    public static BlockExit Run(byte* code, Vcpu cpu, NativeCodeArena arena, out nint linkSlot)
    {
        ulong* frame = stackalloc ulong[FrameTemps + 1];
        frame[0] = ChainBudget;
        ulong* t = frame + 1;
        var mem = cpu.Memory;
        var state = cpu.State;
        while (true)
        {
            var r = s_enter(state, t, code, mem.HostBase, mem.Pages, mem.PageCount);
            if (r.Code < 0)
            {
                linkSlot = r.Data;
                return r.Code == NativeBlockCompiler.ExitNext ? BlockExit.Next : BlockExit.Syscall;
            }
            var block = arena.Block((int)r.Data);
            int k = (int)(r.Code & 0xffff);
            if (s_stats != null) s_stats.CountHandBack(block.Code[k]);
            code = (byte*)(r.Code >> 16);
            if (code == null)
            {
                // No way back in: the block's access group failed its check, and the rest of it is interpreted.
                linkSlot = 0;
                return IrInterpreter.Resume(block, k, t, cpu);
            }
            IrInterpreter.RunOne(in block.Code[k], t, cpu);
        }
    }
}
