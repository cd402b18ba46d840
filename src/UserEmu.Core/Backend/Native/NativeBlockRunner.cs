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
/// The code runs in preemptive mode (a P/Invoke with its GC transition): it touches no managed object (state, temps,
/// guest memory and tables are native memory), so a GC started by another thread (the compile thread, another vCPU)
/// goes ahead without waiting for it, and the code needs no periodic way back: a loop polls only its vCPU's interrupt
/// word (a load and a compare; the chain budget it replaced was a store per pass). Every op that could fault, call the
/// runtime or take long (helpers, accesses that fail the inline check) returns here first; a block whose access group
/// fails its check ends here, in the interpreter.
/// </remarks>
public static unsafe class NativeBlockRunner
{
    /// <summary>Temps in the frame: a block with more stays in the interpreter.</summary>
    public const int FrameTemps = 1024;
    // Set when -d stats counts the ops handed back (one process per engine).
    static EngineStats? s_stats;

    public static void CountHandBacksIn(EngineStats stats)
    {
        stats.CountHandBacks();
        s_stats = stats;
    }

    // Set when -d out_asm lists the stubs made when first reached, as it lists the blocks.
    static TextWriter? s_stubLog;

    public static void ListStubsIn(TextWriter log) => s_stubLog = log;

    /// <summary>What the code returns in rax:rdx.</summary>
    [StructLayout(LayoutKind.Sequential)]
    struct Exit
    {
        public long Code;
        public nint Data;
    }

    // rdi = state, rsi = temps, rdx = where to start, rcx = host base (the block code gets rdi biased, NativeBlockCompiler.StateBias).
    static readonly delegate* unmanaged<CpuState*, ulong*, byte*, byte*, Exit> s_enter =
        (delegate* unmanaged<CpuState*, ulong*, byte*, byte*, Exit>)EntryStub();

    // Where the runner enters to go on at a stub just made (NativeExitTails.WriteStubResume).
    static readonly byte* s_stubResume = (byte*)StubResume();

    static nint StubResume()
    {
        var a = new Assembler(64);
        NativeExitTails.WriteStubResume(a);
        return NativeSignalHandler.Place(a);
    }

    static nint EntryStub()
    {
        // Moves the arguments into the roles the block code expects and calls it.
        // The callee-saved registers that hold temps are saved here once per call, not per block.
        var a = new Assembler(64);
        var saved = NativeBlockCompiler.TempRegisters.Where(IsCalleeSaved).ToArray();
        foreach (var r in saved) a.push(new AssemblerRegister64(r));
        // The state pointer, and a word for the host's MXCSR.
        a.push(rdi);
        a.push(rdi);
        Label clearOnEntry = a.CreateLabel(), entered = a.CreateLabel(), merge = a.CreateLabel(), done = a.CreateLabel();
        Label start = a.CreateLabel(), bottom = a.CreateLabel();
        // Native SSE arithmetic raises the guest's MXCSR flags in the host's (see NativeBlockCompiler.SseArith): they
        // start clear, and whatever the code raised goes into the guest's MXCSR on the way out.
        a.stmxcsr(__dword_ptr[rsp]);
        a.test(__byte_ptr[rsp], (int)Mxcsr.FlagMask);
        a.jnz(clearOnEntry);
        a.Label(ref entered);
        a.mov(r8, rcx);
        a.add(rdi, NativeBlockCompiler.StateBias);
        a.call(start);
        a.stmxcsr(__dword_ptr[rsp]);
        a.mov(ecx, __dword_ptr[rsp]);
        a.and(ecx, (int)Mxcsr.FlagMask);
        a.jnz(merge);
        a.Label(ref done);
        a.pop(rdi);
        a.pop(rdi);
        for (int k = saved.Length - 1; k >= 0; k--) a.pop(new AssemblerRegister64(saved[k]));
        a.ret();
        // Flags raised by managed code (a region's double arithmetic) are not the guest's.
        a.Label(ref clearOnEntry);
        a.and(__dword_ptr[rsp], unchecked((int)~Mxcsr.FlagMask));
        a.ldmxcsr(__dword_ptr[rsp]);
        a.jmp(entered);
        a.Label(ref merge);
        a.mov(rdi, __qword_ptr[rsp + 8]);
        a.or(__dword_ptr[rdi + CpuState.OffMxcsr], ecx);
        a.xor(__dword_ptr[rsp], ecx);
        a.ldmxcsr(__dword_ptr[rsp]);
        a.jmp(done);
        // The block code's frame (NativeBlockCompiler.Returns): every exit resets rsp to the return address of the call
        // above; a guest call may push return pairs down to 16 * MaxReturnPairs bytes below that. The bottom pair
        // matches a ret to -1 only, whose return site leaves for the dispatcher with RIP = rax (-1).
        a.Label(ref start);
        a.mov(__qword_ptr[rsi + NativeBlockCompiler.HostStackOffset], rsp);
        a.lea(rax, __qword_ptr[rsp - 16 * NativeBlockCompiler.MaxReturnPairs]);
        a.mov(__qword_ptr[rsi + NativeBlockCompiler.HostStackLimitOffset], rax);
        a.push(-1);
        a.lea(rax, __qword_ptr[bottom]);
        a.push(rax);
        a.jmp(rdx);
        a.Label(ref bottom);
        a.mov(__qword_ptr[rdi + NativeBlockCompiler.StateDisplacement(CpuState.OffRip)], rax);
        a.xor(edx, edx);
        a.mov(rax, NativeBlockCompiler.ExitNext);
        a.mov(rsp, __qword_ptr[rsi + NativeBlockCompiler.HostStackOffset]);
        a.ret();
        return NativeSignalHandler.Place(a);
    }

    static bool IsCalleeSaved(Register r) => r is Register.RBX or Register.RBP or Register.R12 or Register.R13 or Register.R14 or Register.R15;

    /// <summary>Runs the block at <paramref name="code"/> (in <paramref name="arena"/>) and the blocks chained to it; <paramref name="linkSlot"/> is the unlinked direct exit taken last (0 if none).</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    public static BlockExit Run(byte* code, Vcpu cpu, NativeCodeArena arena, out nint linkSlot)
    {
        // Below the temps: the guest page table and the highest guest address at which an access of up to 8 bytes stays
        // inside the guest's reservation (NativeBlockCompiler's PageTable, GuestLimit). Below those, two words the entry
        // stub writes: the host stack pointer exits go back to, and the lowest one a return pair may go
        // (NativeBlockCompiler.Returns).
        // Below those, the registers a stub's trampoline saves (NativeBlockCompiler.LazyStubs).
        int below = NativeBlockCompiler.FrameWordsBelowTemps;
        ulong* frame = stackalloc ulong[FrameTemps + below];
        ulong* t = frame + below;
        var mem = cpu.Memory;
        t[-2] = (ulong)mem.Pages;
        t[-1] = (mem.PageCount << GuestAddressSpace.PageShift) - 8;
        var state = cpu.State;
        while (true)
        {
            var r = s_enter(state, t, code, mem.HostBase);
            if (r.Code < 0)
            {
                linkSlot = r.Data;
                return r.Code == NativeBlockCompiler.ExitNext ? BlockExit.Next : BlockExit.Syscall;
            }
            int k, id;
            if (r.Data == NativeExitTails.LazyStubData)
            {
                // A trampoline saved the registers: make its stub, then go on there with them.
                byte* stub = NativeBlockCompiler.MakeStub(arena, (byte*)r.Code, out var made);
                t[NativeBlockCompiler.StubTargetOffset / 8] = (ulong)stub;
                if (s_stubLog != null && made.Length > 0)
                    s_stubLog.Write($"OUT: [native stub {made.Index}] 0x{made.GuestPc:x}\n{NativeDisassembler.Format(stub, made.Length)}\n");
                code = s_stubResume;
                continue;
            }
            if (r.Data == NativeExitTails.HandBackData)
            {
                // An op's stub called the hand-back tail: its op and block id follow the call, then the way back in.
                byte* data = (byte*)r.Code;
                k = *(ushort*)data;
                id = *(int*)(data + 2);
                code = data + 6;
            }
            else
            {
                // A memory access group's exit: the rest of the block is interpreted.
                k = (int)r.Code;
                id = (int)r.Data;
                code = null;
            }
            var block = arena.Block(id);
            if (s_stats != null) s_stats.CountHandBack(block.Ops[k]);
            if (code == null)
            {
                // No way back in: the block's access group failed its check, and the rest of it is interpreted.
                linkSlot = 0;
                return IrInterpreter.Resume(block, k, t, cpu);
            }
            IrInterpreter.RunOne(block, k, t, cpu);
        }
    }
}
