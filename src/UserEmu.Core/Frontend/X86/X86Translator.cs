using Decoder = Iced.Intel.Decoder;
using Iced.Intel;
using UserEmu.Engine;
using UserEmu.IR;

namespace UserEmu.Frontend.X86;

/// <summary>The x86-64 frontend: decodes a guest basic block with Iced and lowers it to IR through the emitter table.</summary>
public sealed class X86Translator : IGuestFrontend
{
    /// <summary>Longest block in guest instructions (bounds translation latency and IR size).</summary>
    public const int MaxBlockInstructions = 64;
    /// <summary>Temps past which a superblock ends at its next instruction (AVX2 string code lowered lane by lane takes hundreds).</summary>
    const int MaxSuperblockTemps = 400;
    /// <summary>Temps past which any block ends at its next instruction, below the native tier's limit (NativeBlockRunner.FrameTemps, 1024) by more than one instruction takes.</summary>
    const int MaxBlockTemps = 800;

    readonly X86EmitterTable _table = X86EmitterTable.Default;

    [ThreadStatic] static X86Emitter? _emitter;
    // One code reader and Iced decoder per thread, pointed at each block in turn: a new pair per translation was a
    // tenth of the bytes a translation allocated.
    [ThreadStatic] static GuestCodeReader? t_reader;
    [ThreadStatic] static Decoder? t_decoder;

    public IrBlock Translate(Vcpu cpu, ulong pc, bool transient = false, ulong knownEnd = 0, bool alone = false)
    {
        var e = _emitter ??= new X86Emitter();
        e.BeginBlock(cpu, pc);
        if (VsyscallPage.Contains(pc)) return VsyscallPage.Translate(e, _table, cpu, pc);
        var reader = t_reader ??= new GuestCodeReader(cpu.Memory);
        reader.Reset(cpu.Memory, pc);
        var decoder = t_decoder ??= Decoder.Create(64, reader, pc, DecoderOptions.None);
        ulong end = pc;
        // Translating a loop trace's code before the block (LoopTrace): a block already translated is no join point there.
        bool tracing = false;
        ulong traceFrom = 0, traceEnd = 0;
        while (true)
        {
            ulong at = reader.Position;
            if (at == knownEnd && knownEnd != 0)
            {
                // Translated again: it ended here the first time, and every way to end at the top of this loop is this
                // jump. Whether it would end here now depends on what has changed since: the blocks translated, the
                // protection of the page after it.
                e.B.Jump(at);
                break;
            }
            if (tracing && at == pc)
            {
                // A loop trace back at the block's start: the block loops on itself.
                e.B.Jump(at);
                break;
            }
            if (e.B.TempCount > MaxBlockTemps
                || (e.B.SideExits != 0 && (e.B.TempCount > MaxSuperblockTemps
                    || (!tracing && (e.B.IsSideExitTarget(at) || (knownEnd == 0 && cpu.Process.Code.Lookup(at) is { Valid: true }))))))
            {
                // Past a side exit, the fall-through path reached a join point: the target of a side exit (an if
                // without else) or a block already translated. That code is its own block, not a second copy here.
                // Or the block has temps enough: native code takes at most NativeBlockRunner.FrameTemps, and a block
                // with more stayed interpreted for good (23 AVX2 instructions of python3's threading path: 1027).
                e.B.Jump(at);
                break;
            }
            decoder.IP = at;
            decoder.Decode(out var insn);
            if (insn.IsInvalid)
            {
                if (e.B.InstructionCount > 0 && decoder.LastError == DecoderError.NoMoreBytes)
                {
                    // The next instruction starts on (or runs into) a non-executable page: end here and fault only if reached.
                    e.B.Jump(at);
                    break;
                }
                e.Begin(cpu, insn);
                e.Pc = at;
                e.NextPc = at;
                if (decoder.LastError == DecoderError.NoMoreBytes)
                {
                    // An instruction fetch fault: si_addr is the first byte that could not be fetched (the next page when the
                    // instruction straddles into it), RIP the instruction's start, as the kernel reports it.
                    ulong fault = reader.Position;
                    e.RaiseFetchFault(fault, (cpu.Memory.FlagsAt(fault) & Memory.PageFlags.Mapped) != 0 ? Signals.SEGV_ACCERR : Signals.SEGV_MAPERR);
                    // The block covers the faulting byte, so an mprotect or mmap of that page drops this translation.
                    end = fault + 1;
                    break;
                }
                e.RaiseSignal(Signals.SIGILL, Signals.ILL_ILLOPN);
                end = Math.Max(at + 1, reader.Position);
                break;
            }
            e.Begin(cpu, insn);
            var emit = _table[insn.Mnemonic];
            if (UsesSystemRegister(insn)) e.RaiseSignal(Signals.SIGSEGV, Signals.SI_KERNEL); // #GP in ring 3
            else if (emit == null || WritesSegmentRegister(insn) || !IsImplementedEncoding(insn)) e.Unsupported();
            else emit(e);
            // The block covers its bytes from its start to the furthest it translated (a loop trace's code before the
            // start lies on its first page).
            end = Math.Max(end, insn.NextIP);
            if (tracing) traceEnd = insn.NextIP;
            if (e.B.Ended) break;
            if (e.FollowAt != 0)
            {
                reader.Position = traceFrom = traceEnd = e.FollowAt;
                e.FollowAt = 0;
                tracing = true;
            }
            if (e.B.InstructionCount >= (alone ? 1 : MaxBlockInstructions))
            {
                e.B.Jump(insn.NextIP);
                break;
            }
        }
        var block = e.B.Finish(pc, end, transient);
        (block.TraceFrom, block.TraceEnd) = (traceFrom, traceEnd);
        // -d cpu shows the flags at every block boundary: they stay exact there.
        if (!cpu.Process.Options.Debug("cpu"))
        {
            block.FlagsDeadAtExit = SuccessorFlags.DeadAtExit(block, cpu.Memory, reader, decoder);
            if (e.B.SideExits != 0) SuccessorFlags.MarkSideExits(block, cpu.Memory, reader, decoder);
        }
        return block;
    }

    /// <summary>
    /// Legacy and VEX encodings only: EVEX (AVX-512), XOP, MVEX and 3DNow! forms share mnemonics with implemented
    /// instructions (vaddps zmm...) but are never advertised, so they raise SIGILL.
    /// </summary>
    static bool IsImplementedEncoding(in Instruction insn) => insn.Encoding is EncodingKind.Legacy or EncodingKind.VEX;

    /// <summary>Control, debug and task registers are ring-0 only: moves to or from them fault with #GP.</summary>
    static bool UsesSystemRegister(in Instruction insn)
    {
        for (int n = 0; n < insn.OpCount; n++)
            if (insn.GetOpKind(n) == OpKind.Register && insn.GetOpRegister(n) is var r && (r.IsCR() || r.IsDR() || r.IsTR())) return true;
        return false;
    }

    /// <summary>Loading a segment selector (mov sreg / pop sreg) is not emulated; reading one gives Linux's user selectors.</summary>
    static bool WritesSegmentRegister(in Instruction insn) =>
        insn.OpCount > 0 && insn.Op0Kind == OpKind.Register && insn.Op0Register.IsSegmentRegister() && insn.Mnemonic != Mnemonic.Push;

    public string Disassemble(Vcpu cpu, ulong pc, ulong end) =>
        Cpu.X86.GasListing.Format(new GuestCodeReader(cpu.Memory) { Position = pc }, pc, end);

    /// <summary>syscall puts RFLAGS in R11 (RCX is set in the block); the vsyscall page's emulated calls leave R11 alone, as Linux's do.</summary>
    public unsafe void EnterSyscall(Vcpu cpu)
    {
        var s = cpu.State;
        if (!VsyscallPage.Contains(s->Rip)) s->Gpr[11] = Cpu.X86.LazyFlags.Rflags(s);
    }
}
