using UserEmu.Engine;
using UserEmu.Memory;

namespace UserEmu.Cpu.X86.Signals;

/// <summary>The x86-64 rt_sigframe, laid out as Linux builds it (arch/x86/kernel/signal.c), and rt_sigreturn.</summary>
/// <remarks>
/// Frame at the new RSP: pretcode (sa_restorer), ucontext (flags, link, stack_t, sigcontext, sigmask), siginfo;
/// the fpstate sits above it, 64-byte aligned, below the 128-byte red zone: the FXSAVE image, or with XSAVE the
/// XSAVE image tagged as the kernel does (arch/x86/kernel/fpu/signal.c: FP_XSTATE_MAGIC1 and the _fpx_sw_bytes in the
/// software-reserved bytes 464.., FP_XSTATE_MAGIC2 right after the image, UC_FP_XSTATE in uc_flags).
/// </remarks>
public sealed unsafe class X86SignalFrame : ISignalDelivery
{
    const int UcOffset = 8, UcSize = 304, SiginfoSize = 128;
    const int FrameSize = 8 + UcSize + SiginfoSize;
    const int McOffset = UcOffset + 40;           // uc_mcontext within the frame
    const int SigmaskOffset = UcOffset + 296;     // uc_sigmask
    const int SiginfoOffset = UcOffset + UcSize;
    const ulong UC_FP_XSTATE = 1, UC_SIGCONTEXT_SS = 2, UC_STRICT_RESTORE_SS = 4;
    const uint FP_XSTATE_MAGIC1 = 0x46505853, FP_XSTATE_MAGIC2 = 0x46505845;
    const int SwBytesOffset = 464, Magic2Size = 4;
    const int SS_ONSTACK = 1, SS_DISABLE = 2;
    // RFLAGS bits a signal handler may change through the context (the kernel's FIX_EFLAGS).
    const ulong FixEflags = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | 0x40000 | 0x10000;

    // sigcontext register order: r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp.
    static readonly int[] GregOrder = [8, 9, 10, 11, 12, 13, 14, 15, CpuState.RDI, CpuState.RSI, CpuState.RBP, CpuState.RBX, CpuState.RDX, CpuState.RAX, CpuState.RCX, CpuState.RSP];

    /// <summary>The `syscall` instruction is 2 bytes; RAX gets the number back (the kernel's orig_ax).</summary>
    public void RestartSyscall(Vcpu cpu)
    {
        cpu.State->Rip -= 2;
        cpu.State->Gpr[CpuState.RAX] = cpu.RestartNumber;
    }

    public void EnterHandler(Vcpu cpu, GuestSignalInfo info, ref GuestSigAction act)
    {
        var s = cpu.State;
        // After rt_sigsuspend the frame keeps the mask from before the call, which sigreturn then restores.
        ulong savedMask = cpu.HasSavedMask ? cpu.SavedMask : cpu.SignalMask;
        var mem = cpu.Memory;
        ulong sp = s->Gpr[CpuState.RSP] - 128;
        bool onAltStack = cpu.AltStackSize != 0 && sp - cpu.AltStackBase < cpu.AltStackSize;
        if ((act.Flags & GuestSigAction.SA_ONSTACK) != 0 && cpu.AltStackSize != 0 && (cpu.AltStackFlags & SS_DISABLE) == 0 && !onAltStack)
            sp = cpu.AltStackBase + cpu.AltStackSize;
        var model = cpu.Process.CpuModel;
        int xstateSize = XstateSize(model);
        int mathSize = model.HasXsave ? xstateSize + Magic2Size : FxsaveArea.Size;
        ulong fpstate = (sp - (ulong)mathSize) & ~63UL;
        ulong frame = ((fpstate - FrameSize) & ~15UL) - 8;
        try
        {
            byte* fx = stackalloc byte[XsaveArea.SizeWithAvx + Magic2Size];
            new Span<byte>(fx, mathSize).Clear();
            if (model.HasXsave)
            {
                XsaveArea.SaveComponents(s, fx, model.Xcr0);
                *(ulong*)(fx + XsaveArea.HeaderOffset) = model.Xcr0;
                *(uint*)(fx + SwBytesOffset) = FP_XSTATE_MAGIC1;
                *(uint*)(fx + SwBytesOffset + 4) = (uint)(xstateSize + Magic2Size);
                *(ulong*)(fx + SwBytesOffset + 8) = model.Xcr0;
                *(uint*)(fx + SwBytesOffset + 16) = (uint)xstateSize;
                *(uint*)(fx + xstateSize) = FP_XSTATE_MAGIC2;
            }
            else
            {
                FxsaveArea.Save(s, fx);
            }
            mem.WriteBytes(fpstate, new ReadOnlySpan<byte>(fx, mathSize));

            Span<byte> f = stackalloc byte[FrameSize];
            f.Clear();
            Put(f, 0, act.Restorer);
            Put(f, UcOffset, UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS | (model.HasXsave ? UC_FP_XSTATE : 0));
            Put(f, UcOffset + 16, cpu.AltStackBase);
            Put(f, UcOffset + 24, (ulong)(cpu.AltStackSize == 0 ? SS_DISABLE : onAltStack ? SS_ONSTACK : 0));
            Put(f, UcOffset + 32, cpu.AltStackSize);
            for (int k = 0; k < 16; k++) Put(f, McOffset + k * 8, s->Gpr[GregOrder[k]]);
            Put(f, McOffset + 128, s->Rip);
            Put(f, McOffset + 136, LazyFlags.Rflags(s));
            Put(f, McOffset + 144, 0x33UL | (0x2bUL << 48)); // cs, gs, fs, ss
            Put(f, McOffset + 160, TrapNumber(info.Signal));
            Put(f, McOffset + 168, savedMask);
            Put(f, McOffset + 176, info.Signal == Engine.Signals.SIGSEGV ? info.Address : 0);
            Put(f, McOffset + 184, fpstate);
            Put(f, SigmaskOffset, savedMask);
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
            if (fpstate != 0 && !RestoreFpstate(cpu, fpstate)) throw new GuestTerminatedBySignalException(Engine.Signals.SIGSEGV);
            for (int k = 0; k < 16; k++) s->Gpr[GregOrder[k]] = Get(f, McOffset + k * 8);
            s->Rip = Get(f, McOffset + 128);
            LazyFlags.SetRflags(s, Get(f, McOffset + 136), FixEflags);
            cpu.SetSignalMask(Get(f, SigmaskOffset)); // unblocked signals are delivered at the next boundary
            return s->Gpr[CpuState.RAX];
        }
        catch (GuestFaultException)
        {
            throw new GuestTerminatedBySignalException(Engine.Signals.SIGSEGV);
        }
    }

    static int XstateSize(CpuModel model) => model.HasAvx ? XsaveArea.SizeWithAvx : XsaveArea.SizeLegacy;

    /// <summary>
    /// Loads the fpstate as the kernel does: the XSAVE image when its software bytes and both magics check out
    /// (components cleared from XSTATE_BV are set to their initial state), else the FXSAVE image alone with the
    /// other components initialised. False for a reserved MXCSR bit.
    /// </summary>
    static bool RestoreFpstate(Vcpu cpu, ulong fpstate)
    {
        var model = cpu.Process.CpuModel;
        var mem = cpu.Memory;
        var s = cpu.State;
        byte* fx = stackalloc byte[XsaveArea.SizeWithAvx + Magic2Size];
        mem.ReadBytes(fpstate, new Span<byte>(fx, FxsaveArea.Size));
        if (model.HasXsave && *(uint*)(fx + SwBytesOffset) == FP_XSTATE_MAGIC1)
        {
            int xstateSize = XstateSize(model);
            uint extended = *(uint*)(fx + SwBytesOffset + 4);
            uint size = *(uint*)(fx + SwBytesOffset + 16);
            if (size == xstateSize && extended == size + Magic2Size)
            {
                mem.ReadBytes(fpstate + FxsaveArea.Size, new Span<byte>(fx + FxsaveArea.Size, xstateSize + Magic2Size - FxsaveArea.Size));
                if (*(uint*)(fx + xstateSize) == FP_XSTATE_MAGIC2)
                {
                    ulong features = *(ulong*)(fx + SwBytesOffset + 8) & model.Xcr0;
                    ulong xstateBv = *(ulong*)(fx + XsaveArea.HeaderOffset);
                    // Components the frame does not carry are reset, as the kernel's restore_fpregs_from_user does.
                    return XsaveArea.RestoreComponents(s, fx, model.Xcr0, xstateBv & features);
                }
            }
        }
        if (!FxsaveArea.Restore(s, fx)) return false;
        if (model.HasAvx)
            for (int r = 0; r < 16; r++) new Span<byte>(s->Xmm(r) + 16, 16).Clear();
        return true;
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
            BitConverter.TryWriteBytes(si[24..], info.Value);
        }
    }

    static void Put(Span<byte> f, int offset, ulong v) => BitConverter.TryWriteBytes(f[offset..], v);
    static ulong Get(ReadOnlySpan<byte> f, int offset) => BitConverter.ToUInt64(f[offset..]);
}
