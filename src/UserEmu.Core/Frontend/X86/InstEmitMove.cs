using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;

namespace UserEmu.Frontend.X86;

/// <summary>Data movement: mov, movzx/movsx, lea, push/pop, xchg, cmovcc, setcc, sign-extension forms, nops.</summary>
static class InstEmitMove
{
    public static void Install(X86EmitterTable t)
    {
        t[Mnemonic.Mov] = Mov;
        t[Mnemonic.Movzx] = e => e.Write(0, e.Read(1), e.OpSize(0));
        t.Add(MovSx, Mnemonic.Movsx, Mnemonic.Movsxd);
        t[Mnemonic.Lea] = Lea;
        t[Mnemonic.Push] = Push;
        t[Mnemonic.Pop] = Pop;
        t[Mnemonic.Xchg] = Xchg;
        t.Add(Cmov, Mnemonic.Cmovo, Mnemonic.Cmovno, Mnemonic.Cmovb, Mnemonic.Cmovae, Mnemonic.Cmove, Mnemonic.Cmovne,
            Mnemonic.Cmovbe, Mnemonic.Cmova, Mnemonic.Cmovs, Mnemonic.Cmovns, Mnemonic.Cmovp, Mnemonic.Cmovnp,
            Mnemonic.Cmovl, Mnemonic.Cmovge, Mnemonic.Cmovle, Mnemonic.Cmovg);
        t.Add(Setcc, Mnemonic.Seto, Mnemonic.Setno, Mnemonic.Setb, Mnemonic.Setae, Mnemonic.Sete, Mnemonic.Setne,
            Mnemonic.Setbe, Mnemonic.Seta, Mnemonic.Sets, Mnemonic.Setns, Mnemonic.Setp, Mnemonic.Setnp,
            Mnemonic.Setl, Mnemonic.Setge, Mnemonic.Setle, Mnemonic.Setg);
        t[Mnemonic.Cbw] = e => SignExtendAcc(e, 1, 2);
        t[Mnemonic.Cwde] = e => SignExtendAcc(e, 2, 4);
        t[Mnemonic.Cdqe] = e => SignExtendAcc(e, 4, 8);
        t[Mnemonic.Cwd] = e => SignIntoRdx(e, 2);
        t[Mnemonic.Cdq] = e => SignIntoRdx(e, 4);
        t[Mnemonic.Cqo] = e => SignIntoRdx(e, 8);
        // Hints and no-ops in user mode.
        t.Add(_ => { }, Mnemonic.Nop, Mnemonic.Endbr64, Mnemonic.Endbr32, Mnemonic.Pause,
            Mnemonic.Prefetch, Mnemonic.Prefetchw, Mnemonic.Prefetchnta, Mnemonic.Prefetcht0, Mnemonic.Prefetcht1, Mnemonic.Prefetcht2,
            Mnemonic.Lfence, Mnemonic.Sfence);
        // CET shadow-stack reads and increments live in the hint-NOP space: with shadow stacks off (never advertised)
        // they leave their register unchanged, which is how libgcc's unwinder learns there is no shadow stack.
        t.Add(_ => { }, Mnemonic.Rdsspd, Mnemonic.Rdsspq, Mnemonic.Incsspd, Mnemonic.Incsspq);
        // The one fence x86 code needs from the host: stores before it are visible before loads after it (Dekker, seqlocks).
        t[Mnemonic.Mfence] = e => e.HelperImm(LockedAccessHelpers.FullFence, 0);
    }

    /// <summary>The x86 condition encoded in a Jcc/SETcc/CMOVcc instruction.</summary>
    public static Cond CondOf(in Instruction insn) => insn.ConditionCode switch
    {
        ConditionCode.o => Cond.O, ConditionCode.no => Cond.NO, ConditionCode.b => Cond.B, ConditionCode.ae => Cond.AE,
        ConditionCode.e => Cond.E, ConditionCode.ne => Cond.NE, ConditionCode.be => Cond.BE, ConditionCode.a => Cond.A,
        ConditionCode.s => Cond.S, ConditionCode.ns => Cond.NS, ConditionCode.p => Cond.P, ConditionCode.np => Cond.NP,
        ConditionCode.l => Cond.L, ConditionCode.ge => Cond.GE, ConditionCode.le => Cond.LE, ConditionCode.g => Cond.G,
        _ => throw new InvalidOperationException($"{insn.Mnemonic} has no condition"),
    };

    static void Mov(X86Emitter e)
    {
        // Segment register moves: user code may read them (selectors are fixed in 64-bit mode) but not load them.
        if (e.IsReg(1) && e.Insn.Op1Register.IsSegmentRegister())
        {
            ushort sel = e.B.Const(e.Insn.Op1Register is Iced.Intel.Register.CS ? 0x33 : e.Insn.Op1Register is Iced.Intel.Register.SS ? 0x2b : 0);
            e.Write(0, sel, e.OpSize(0));
            return;
        }
        if (e.IsReg(0) && e.Insn.Op0Register.IsSegmentRegister())
        {
            e.RaiseSignal(Engine.Signals.SIGSEGV, Engine.Signals.SI_KERNEL);
            return;
        }
        int size = e.OpSize(0);
        e.Write(0, e.Read(1, size), size);
    }

    static void MovSx(X86Emitter e)
    {
        int dst = e.OpSize(0), src = e.OpSize(1);
        ushort v = e.B.SExt(e.Read(1, src), src);
        e.Write(0, e.Trunc(v, dst), dst);
    }

    static void Lea(X86Emitter e)
    {
        int size = e.OpSize(0);
        // lea never applies a segment base, so compute the address without FS/GS.
        var insn = e.Insn;
        ushort ea;
        if (insn.IsIPRelativeMemoryOperand) ea = e.B.Const(insn.IPRelativeMemoryAddress);
        else
        {
            ea = e.B.Const((long)insn.MemoryDisplacement64);
            if (insn.MemoryBase != Register.None) ea = e.B.Add(ea, e.GetReg(insn.MemoryBase));
            if (insn.MemoryIndex != Register.None)
                ea = e.B.Add(ea, e.B.ShlImm(e.GetReg(insn.MemoryIndex), System.Numerics.BitOperations.Log2((uint)insn.MemoryIndexScale)));
            // A 0x67 prefix (32-bit address size) computes the address modulo 2^32, then extends it to the operand.
            if (insn.MemoryBase.GetSize() == 4 || insn.MemoryIndex.GetSize() == 4) ea = e.B.ZExt(ea, 4);
        }
        e.Write(0, e.Trunc(ea, size), size);
    }

    static void Push(X86Emitter e)
    {
        int size = e.Insn.StackPointerIncrement == -2 ? 2 : 8;
        ushort v = e.IsImm(0) ? e.B.Const(size == 8 ? e.ImmValue(0) : e.ImmValue(0) & 0xffff) : e.Read(0, size);
        e.Push(v, size);
    }

    static void Pop(X86Emitter e)
    {
        int size = e.Insn.StackPointerIncrement == 2 ? 2 : 8;
        ushort v = e.PeekStack(size, out ushort sp);
        if (e.IsMem(0))
        {
            // pop [rsp+d] addresses with the incremented RSP, but a faulting store leaves RSP as it was: compute the
            // address with RSP incremented, put RSP back for the store, then commit.
            ushort old = e.GetGpr(CpuState.RSP);
            e.CommitPop(sp);
            ushort ea = e.Ea();
            e.CommitPop(old);
            e.B.Store(ea, v, size);
            e.CommitPop(sp);
            return;
        }
        // RSP is updated first: pop rsp keeps the loaded value.
        e.CommitPop(sp);
        e.Write(0, v, size);
    }

    static void Xchg(X86Emitter e)
    {
        int size = e.OpSize(0);
        if (e.IsReg(0) && e.IsReg(1) && e.Insn.Op0Register == e.Insn.Op1Register && size != 4) return; // nop
        ushort a = e.Read(0, size);
        ushort b = e.Read(1, size);
        // Memory operand written first so a fault leaves registers untouched.
        if (e.IsMem(1)) { e.Write(1, a, size); e.Write(0, b, size); }
        else { e.Write(0, b, size); e.Write(1, a, size); }
    }

    static void Cmov(X86Emitter e)
    {
        int size = e.OpSize(0);
        ushort src = e.Read(1, size);
        ushort cur = e.Read(0, size);
        ushort c = e.Condition(CondOf(e.Insn));
        // A 32-bit cmov zero-extends the destination even when the condition is false.
        e.Write(0, e.B.Select(c, src, cur), size);
    }

    static void Setcc(X86Emitter e)
    {
        ushort c = e.Condition(CondOf(e.Insn));
        e.Write(0, c, 1);
    }

    static void SignExtendAcc(X86Emitter e, int from, int to)
    {
        ushort v = e.B.SExt(e.GetGpr(CpuState.RAX, from), from);
        e.SetGpr(CpuState.RAX, to, e.Trunc(v, to));
    }

    static void SignIntoRdx(X86Emitter e, int size)
    {
        ushort v = e.B.SExt(e.GetGpr(CpuState.RAX, size), size);
        ushort hi = e.B.SarImm(v, 63);
        e.SetGpr(CpuState.RDX, size, e.Trunc(hi, size));
    }
}
