using System.Runtime.CompilerServices;
using Iced.Intel;
using UserEmu.Backend.Interpreter;
using UserEmu.Cpu.X86;
using UserEmu.Engine;
using UserEmu.Host;
using UserEmu.IR;
using static Iced.Intel.AssemblerRegisters;

namespace UserEmu.Backend.Native;

/// <summary>Runs a block's native code (<see cref="NativeBlockCompiler"/>) on a frame of temps, performing the ops it hands back.</summary>
/// <remarks>
/// The call into the code suppresses the GC transition: a block is straight-line code of at most a few hundred host
/// instructions that neither blocks nor calls back, so it costs no more than a call. Every op that could fault, call
/// the runtime or take long (helpers, accesses that fail the inline check) returns here first.
/// </remarks>
public static unsafe class NativeBlockRunner
{
    // rdi = state, rsi = temps, rdx = where to start, rcx = host base, r8 = page table, r9 = page count.
    static readonly delegate* unmanaged[SuppressGCTransition]<CpuState*, ulong*, byte*, byte*, byte*, ulong, long> s_enter =
        (delegate* unmanaged[SuppressGCTransition]<CpuState*, ulong*, byte*, byte*, byte*, ulong, long>)EntryStub();

    static nint EntryStub()
    {
        // Moves the arguments into the roles the block code expects and jumps to it; the code returns to our caller.
        var a = new Assembler(64);
        a.mov(r10, r9);
        a.mov(r9, r8);
        a.mov(r8, rcx);
        a.jmp(rdx);
        return NativeSignalHandler.Place(a);
    }

    /// <summary>Runs <paramref name="block"/> whose machine code starts at <paramref name="code"/>.</summary>
    [SkipLocalsInit]
    public static BlockExit Run(PreparedBlock block, byte* code, Vcpu cpu)
    {
        ulong* t = stackalloc ulong[block.TempCount];
        IrInterpreter.LoadTemplate(block, t);
        var mem = cpu.Memory;
        var state = cpu.State;
        while (true)
        {
            long r = s_enter(state, t, code, mem.HostBase, mem.Pages, mem.PageCount);
            if (r < 0) return r == NativeBlockCompiler.ExitNext ? BlockExit.Next : BlockExit.Syscall;
            IrInterpreter.RunOne(in block.Code[(int)(r & 0xffff)], t, cpu);
            code = (byte*)(r >> 16);
        }
    }
}
