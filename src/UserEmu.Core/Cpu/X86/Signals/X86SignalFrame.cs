using UserEmu.Engine;
using UserEmu.Memory;

namespace UserEmu.Cpu.X86.Signals;

/// <summary>The x86-64 rt_sigframe, laid out as Linux builds it (arch/x86/kernel/signal.c), and rt_sigreturn.</summary>
/// <remarks>
/// Frame at the new RSP: pretcode (sa_restorer), ucontext (flags, link, stack_t, sigcontext, sigmask), siginfo;
/// the FXSAVE-format fpstate sits above it, 64-byte aligned, below the 128-byte red zone.
/// </remarks>
public sealed unsafe class X86SignalFrame : ISignalDelivery
{
    const int UcOffset = 8, UcSize = 304, SiginfoSize = 128;
    const int FrameSize = 8 + UcSize + SiginfoSize;
    const int McOffset = UcOffset + 40;           // uc_mcontext within the frame
    const int SigmaskOffset = UcOffset + 296;     // uc_sigmask
    const int SiginfoOffset = UcOffset + UcSize;
    const ulong UC_SIGCONTEXT_SS = 2, UC_STRICT_RESTORE_SS = 4;
    const int SS_ONSTACK = 1, SS_DISABLE = 2;
    // RFLAGS bits a signal handler may change through the context (the kernel's FIX_EFLAGS).
    const ulong FixEflags = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | 0x40000 | 0x10000;

    // sigcontext register order: r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp.
    static readonly int[] GregOrder = [8, 9, 10, 11, 12, 13, 14, 15, CpuState.RDI, CpuState.RSI, CpuState.RBP, CpuState.RBX, CpuState.RDX, CpuState.RAX, CpuState.RCX, CpuState.RSP];

    public void EnterHandler(Vcpu cpu, GuestSignalInfo info, ref GuestSigAction act)
    {
        var s = cpu.State;
        var mem = cpu.Memory;
        ulong sp = s->Gpr[CpuState.RSP] - 128;
        bool onAltStack = cpu.AltStackSize != 0 && sp - cpu.AltStackBase < cpu.AltStackSize;
        if ((act.Flags & GuestSigAction.SA_ONSTACK) != 0 && cpu.AltStackSize != 0 && (cpu.AltStackFlags & SS_DISABLE) == 0 && !onAltStack)
            sp = cpu.AltStackBase + cpu.AltStackSize;
        ulong fpstate = (sp - FxsaveArea.Size) & ~63UL;
        ulong frame = ((fpstate - FrameSize) & ~15UL) - 8;
        try
        {
            byte* fx = stackalloc byte[FxsaveArea.Size];
            FxsaveArea.Save(s, fx);
            mem.WriteBytes(fpstate, new ReadOnlySpan<byte>(fx, FxsaveArea.Size));

            Span<byte> f = stackalloc byte[FrameSize];
            f.Clear();
            Put(f, 0, act.Restorer);
            Put(f, UcOffset, UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS);
            Put(f, UcOffset + 16, cpu.AltStackBase);
            Put(f, UcOffset + 24, (ulong)(cpu.AltStackSize == 0 ? SS_DISABLE : onAltStack ? SS_ONSTACK : 0));
            Put(f, UcOffset + 32, cpu.AltStackSize);
            for (int k = 0; k < 16; k++) Put(f, McOffset + k * 8, s->Gpr[GregOrder[k]]);
            Put(f, McOffset + 128, s->Rip);
            Put(f, McOffset + 136, LazyFlags.Rflags(s));
            Put(f, McOffset + 144, 0x33UL | (0x2bUL << 48)); // cs, gs, fs, ss
            Put(f, McOffset + 160, TrapNumber(info.Signal));
            Put(f, McOffset + 168, cpu.SignalMask);
            Put(f, McOffset + 176, info.Signal == Engine.Signals.SIGSEGV ? info.Address : 0);
            Put(f, McOffset + 184, fpstate);
            Put(f, SigmaskOffset, cpu.SignalMask);
            WriteSiginfo(f[SiginfoOffset..], info);
            mem.WriteBytes(frame, f);
        }
        catch (GuestFaultException)
        {
            // No room for the frame: the kernel forces SIGSEGV with the default action.
            throw new GuestTerminatedBySignalException(Engine.Signals.SIGSEGV);
        }

        s->Gpr[CpuState.RDI] = (ulong)info.Signal;
        s->Gpr[CpuState.RSI] = frame + SiginfoOffset;
        s->Gpr[CpuState.RDX] = frame + UcOffset;
        s->Gpr[CpuState.RAX] = 0;
        s->Gpr[CpuState.RSP] = frame;
        s->Rip = act.Handler;
        s->DfStep = 1;
        s->RflagsOther &= ~0x100UL; // TF
        // The handler starts with a fresh x87 (as the kernel's fpu__clear_user_states gives it), so a pending
        // unmasked exception saved in the frame does not fault again in the handler.
        X87.X87Stack.Init(s);

        if ((act.Flags & GuestSigAction.SA_NODEFER) == 0) cpu.SignalMask |= 1UL << (info.Signal - 1);
        cpu.SignalMask |= act.Mask;
        cpu.SignalMask &= ~((1UL << (Engine.Signals.SIGKILL - 1)) | (1UL << (Engine.Signals.SIGSTOP - 1)));
        if ((act.Flags & GuestSigAction.SA_RESETHAND) != 0) act = default;
    }

    /// <summary>rt_sigreturn: restores registers, flags, fpstate and mask from the frame at RSP-8; returns the restored RAX.</summary>
    public static ulong Return(Vcpu cpu)
    {
        var s = cpu.State;
        var mem = cpu.Memory;
        ulong frame = s->Gpr[CpuState.RSP] - 8;
        try
        {
            Span<byte> f = stackalloc byte[FrameSize];
            mem.ReadBytes(frame, f);
            ulong fpstate = Get(f, McOffset + 184);
            if (fpstate != 0)
            {
                byte* fx = stackalloc byte[FxsaveArea.Size];
                mem.ReadBytes(fpstate, new Span<byte>(fx, FxsaveArea.Size));
                if (!FxsaveArea.Restore(s, fx)) throw new GuestTerminatedBySignalException(Engine.Signals.SIGSEGV);
            }
            for (int k = 0; k < 16; k++) s->Gpr[GregOrder[k]] = Get(f, McOffset + k * 8);
            s->Rip = Get(f, McOffset + 128);
            LazyFlags.SetRflags(s, Get(f, McOffset + 136), FixEflags);
            cpu.SignalMask = Get(f, SigmaskOffset) & ~((1UL << (Engine.Signals.SIGKILL - 1)) | (1UL << (Engine.Signals.SIGSTOP - 1)));
            cpu.Process.Signals.HasPending = true; // unblocked signals may now be deliverable
            return s->Gpr[CpuState.RAX];
        }
        catch (GuestFaultException)
        {
            throw new GuestTerminatedBySignalException(Engine.Signals.SIGSEGV);
        }
    }

    static ulong TrapNumber(int sig) => sig switch
    {
        Engine.Signals.SIGSEGV => 14, // page fault (13 for #GP is indistinguishable here)
        Engine.Signals.SIGFPE => 0,
        Engine.Signals.SIGILL => 6,
        Engine.Signals.SIGTRAP => 3,
        _ => 0,
    };

    /// <summary>Fills a 128-byte siginfo_t: signo, errno, code, then the fault address or the sender's pid/uid.</summary>
    public static void WriteSiginfo(Span<byte> si, GuestSignalInfo info)
    {
        si[..SiginfoSize].Clear();
        BitConverter.TryWriteBytes(si, info.Signal);
        BitConverter.TryWriteBytes(si[8..], info.Code);
        if (info.Signal is Engine.Signals.SIGSEGV or Engine.Signals.SIGBUS or Engine.Signals.SIGILL or Engine.Signals.SIGFPE or Engine.Signals.SIGTRAP && info.Code > 0)
            BitConverter.TryWriteBytes(si[16..], info.Address);
        else
        {
            BitConverter.TryWriteBytes(si[16..], info.SenderPid);
            BitConverter.TryWriteBytes(si[20..], info.SenderUid);
        }
    }

    static void Put(Span<byte> f, int offset, ulong v) => BitConverter.TryWriteBytes(f[offset..], v);
    static ulong Get(ReadOnlySpan<byte> f, int offset) => BitConverter.ToUInt64(f[offset..]);
}
