using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;

namespace UserEmu.Frontend.X86;

/// <summary>Control flow: jmp, jcc, call, ret, loop family, jrcxz. Each ends the block, but a forward jcc, loop or jrcxz that becomes a superblock's side exit (<see cref="X86Emitter.EndBranch"/>).</summary>
static class InstEmitFlow
{
    public static void Install(X86EmitterTable t)
    {
        t[Mnemonic.Jmp] = Jmp;
        t[Mnemonic.Call] = Call;
        t[Mnemonic.Ret] = Ret;
        t.Add(Jcc, Mnemonic.Jo, Mnemonic.Jno, Mnemonic.Jb, Mnemonic.Jae, Mnemonic.Je, Mnemonic.Jne, Mnemonic.Jbe, Mnemonic.Ja,
            Mnemonic.Js, Mnemonic.Jns, Mnemonic.Jp, Mnemonic.Jnp, Mnemonic.Jl, Mnemonic.Jge, Mnemonic.Jle, Mnemonic.Jg);
        t.Add(Loop, Mnemonic.Loop, Mnemonic.Loope, Mnemonic.Loopne);
        t.Add(Jrcxz, Mnemonic.Jrcxz, Mnemonic.Jecxz);
    }

    static bool IsDirect(X86Emitter e) => e.Insn.Op0Kind is OpKind.NearBranch64 or OpKind.NearBranch32 or OpKind.NearBranch16;

    static void Jmp(X86Emitter e)
    {
        if (IsDirect(e)) e.EndJump(e.Insn.NearBranchTarget);
        else e.EndIndirect(e.Read(0, 8));
    }

    static void Call(X86Emitter e)
    {
        if (IsDirect(e))
        {
            e.Push(e.B.Const(e.NextPc));
            e.EndCall(e.Insn.NearBranchTarget);
            return;
        }
        ushort target = e.Read(0, 8);
        e.Push(e.B.Const(e.NextPc));
        e.EndIndirectCall(target);
    }

    static void Ret(X86Emitter e)
    {
        ushort target = e.PeekStack(8, out ushort sp);
        if (e.Insn.OpCount > 0) sp = e.B.AddImm(sp, (long)e.ImmValue(0));
        e.CommitPop(sp);
        e.EndReturn(target);
    }

    static void Jcc(X86Emitter e) => e.EndBranch(e.Condition(InstEmitMove.CondOf(e.Insn)), e.Insn.NearBranchTarget, mayTrace: true);

    static void Loop(X86Emitter e)
    {
        // With a 0x67 prefix the count is ECX (Iced gives no register operand for it, only the code).
        int size = e.Insn.Code is Code.Loop_rel8_64_ECX or Code.Loope_rel8_64_ECX or Code.Loopne_rel8_64_ECX ? 4 : 8;
        // Flags are not changed by loop; read ZF before writing RCX.
        ushort zfCond = e.Insn.Mnemonic switch
        {
            Mnemonic.Loope => e.Condition(Cond.E),
            Mnemonic.Loopne => e.Condition(Cond.NE),
            _ => e.B.Const(1),
        };
        ushort rcx = e.Trunc(e.B.AddImm(e.GetGpr(CpuState.RCX, size), -1), size);
        e.SetGpr(CpuState.RCX, size, rcx);
        ushort nonZero = e.B.Binary(IrOp.CmpNe, rcx, e.B.Const(0));
        e.EndBranch(e.B.And(nonZero, zfCond), e.Insn.NearBranchTarget);
    }

    static void Jrcxz(X86Emitter e)
    {
        int size = e.Insn.Mnemonic == Mnemonic.Jecxz ? 4 : 8;
        ushort z = e.B.Binary(IrOp.CmpEq, e.GetGpr(CpuState.RCX, size), e.B.Const(0));
        e.EndBranch(z, e.Insn.NearBranchTarget);
    }
}
