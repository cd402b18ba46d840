using Iced.Intel;
using UserEmu.Cpu.X86;
using static Iced.Intel.AssemblerRegisters;

namespace UserEmu.Backend.Native;

/// <summary>The ways back to the runner that every block shares, at the start of each code chunk (within a rel32 of all the chunk's code): a block jumps to one instead of carrying its own copy.</summary>
/// <remarks>
/// Each block had its own: the indirect entry's miss (17 bytes), the exits that store RIP and go back unlinked (26
/// bytes with the target), a direct exit's way back with its link slot (31), an op's hand-back (25-28: its resume
/// address, op and id put together in rax and rdx). cc1: 140k blocks, 274k direct exits, 289k ops' stubs.
/// </remarks>
static unsafe class NativeExitTails
{
    /// <summary>The indirect entry's miss and an empty jump-table entry's: RIP = rax, then back to the dispatcher, asking it to fill the jump table (rdx = <see cref="NativeJumpTable.FillRequest"/>).</summary>
    public const int Fill = 0;
    /// <summary>RIP = rax, then back with no link slot.</summary>
    public const int StoreRip = 32;
    /// <summary>Called by a direct exit not linked yet, whose link slot and then target follow the call: RIP = the target, then back with the slot in rdx.</summary>
    public const int Link = 64;
    /// <summary>Called by an op's stub: back with rax = the return address, where the op's index (2 bytes) and its block's id (4) are, then the way back in; rdx = <see cref="HandBackData"/>.</summary>
    public const int HandBack = 96;
    /// <summary>rdx when rax points at a hand-back's data.</summary>
    public const long HandBackData = -1;
    /// <summary>Called by a jump back whose vCPU is interrupted (<see cref="CpuState.Interrupt"/>), just before its <see cref="Link"/> call: RIP = the target after that call's slot, then back with no slot.</summary>
    public const int Interrupted = 128;
    /// <summary>A direct exit's code after its link slot: the target (8 bytes).</summary>
    public const int SlotTarget = 8;
    /// <summary>
    /// Called by a stub's trampoline (<see cref="NativeBlockCompiler"/>'s out-of-line stubs are made when first
    /// reached): saves every register the block may hold a value in below the temps, then back with rax = the return
    /// address, where the stub's number is (2 bytes); rdx = <see cref="LazyStubData"/>.
    /// </summary>
    public const int LazyStub = 160;
    /// <summary>rdx when rax points at a trampoline's data.</summary>
    public const long LazyStubData = -2;
    /// <summary>Bytes at a chunk's start the tails take (16-byte aligned: code follows).</summary>
    public const int Bytes = 512;

    static readonly int Rip = NativeBlockCompiler.StateDisplacement(CpuState.OffRip);

    static readonly byte[] s_code = Build();

    /// <summary>Writes the tails at the start of <paramref name="chunk"/>.</summary>
    public static void Write(byte* chunk) => s_code.CopyTo(new Span<byte>(chunk, Bytes));

    /// <summary>The tails for code at <paramref name="code"/>.</summary>
    public static byte* Of(byte* code) => (byte*)NativeCodeRegion.ChunkOf((nint)code);

    static byte[] Build()
    {
        var code = new byte[Bytes];
        code.AsSpan().Fill(0xcc);
        // RIP here rather than before each indirect jump: the hit, most jumps, never needs it.
        Put(code, Fill, a => { a.mov(__qword_ptr[rdi + Rip], rax); a.mov(edx, (int)NativeJumpTable.FillRequest); a.mov(rax, NativeBlockCompiler.ExitNext); });
        Put(code, StoreRip, a => { a.mov(__qword_ptr[rdi + Rip], rax); a.xor(edx, edx); a.mov(rax, NativeBlockCompiler.ExitNext); });
        Put(code, Link, a => { a.pop(rdx); a.mov(rax, __qword_ptr[rdx + SlotTarget]); a.mov(__qword_ptr[rdi + Rip], rax); a.mov(rax, NativeBlockCompiler.ExitNext); });
        // The call to Link lies between the return address and the slot.
        Put(code, Interrupted, a => { a.pop(rax); a.mov(rax, __qword_ptr[rax + CallBytes + SlotTarget]); a.mov(__qword_ptr[rdi + Rip], rax); a.xor(edx, edx); a.mov(rax, NativeBlockCompiler.ExitNext); });
        Put(code, HandBack, a => { a.pop(rax); a.mov(rdx, HandBackData); });
        Put(code, LazyStub, a =>
        {
            MoveStubRegisters(a, save: true);
            a.pop(rax);
            a.mov(rdx, LazyStubData);
        }, Bytes - LazyStub);
        return code;
    }

    // A call rel32's length.
    internal const int CallBytes = 5;

    /// <summary>Code the runner enters with to go on at a stub just made: the registers <see cref="LazyStub"/> saved, then a jump to the stub.</summary>
    public static void WriteStubResume(Assembler a)
    {
        MoveStubRegisters(a, save: false);
        a.jmp(__qword_ptr[rsi + NativeBlockCompiler.StubTargetOffset]);
    }

    // Stores (or loads) every register a block may hold a value in to (from) the frame below the temps: all of each
    // YMM register where the host has AVX2 (block code may hold 256-bit values), else each XMM.
    static void MoveStubRegisters(Assembler a, bool save)
    {
        var saved = NativeBlockCompiler.StubSavedRegisters;
        for (int n = 0; n < saved.Length; n++)
        {
            var slot = __qword_ptr[rsi + NativeBlockCompiler.SavedRegisterOffset(n)];
            var r = new AssemblerRegister64(saved[n]);
            if (save) a.mov(slot, r);
            else a.mov(r, slot);
        }
        for (int x = 0; x < 16; x++)
        {
            int at = NativeBlockCompiler.SavedVectorOffset(x);
            if (Host.HostCpuFeatures.Avx2)
            {
                var y = new AssemblerRegisterYMM(Iced.Intel.Register.YMM0 + x);
                if (save) a.vmovdqu(__ymmword_ptr[rsi + at], y);
                else a.vmovdqu(y, __ymmword_ptr[rsi + at]);
            }
            else
            {
                var v = new AssemblerRegisterXMM(Iced.Intel.Register.XMM0 + x);
                if (save) a.movdqu(__xmmword_ptr[rsi + at], v);
                else a.movdqu(v, __xmmword_ptr[rsi + at]);
            }
        }
    }

    // `emit`, then back to the runner with the host stack its entry stub left (NativeBlockCompiler.LeaveToRunner).
    static void Put(byte[] code, int at, Action<Assembler> emit, int room = 32)
    {
        var a = new Assembler(64);
        emit(a);
        a.mov(rsp, __qword_ptr[rsi + NativeBlockCompiler.HostStackOffset]);
        a.ret();
        var bytes = new MemoryStream();
        a.Assemble(new StreamCodeWriter(bytes), 0);
        if (bytes.Length > room) throw new InvalidOperationException($"exit tail longer than its {room} bytes");
        bytes.ToArray().CopyTo(code, at);
    }
}
