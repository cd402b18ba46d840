using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

// NativeBlockCompiler, continued: the host instructions of each IR op and block exit.
public sealed unsafe partial class NativeBlockCompiler
{
    bool EmitOp(in IrInstr i, int k)
    {
        if (!KeepsXmmDirty(i, k)) FlushAllXmm();
        UpperClean(i);
        switch (i.Op)
        {
            case IrOp.Nop:
                return true;
            case IrOp.Const:
                StoreTempImm(i.Dst, (ulong)i.Imm);
                return true;
            case IrOp.Mov when _rebased[k]:
                EmitRebased(i, k);
                return true;
            case IrOp.Mov:
                Result(InPlace(i.Dst, i.A), i.Dst);
                return true;
            case IrOp.LoadState when IsCarriedLoad(k):
                // A loop block's carried register holds it (the body's first loads, or the back edge's moves).
                return true;
            case IrOp.LoadState when ReadsMxcsr(i):
                // stmxcsr: the flags this code raised are still in the host's MXCSR until it exits (SseArith).
                JumpTo(Code.Jmp_rel32_64, NewStub(k));
                ResumeHere(k);
                return true;
            case IrOp.LoadState:
            {
                // Straight into the temp's register where it has one: rax keeps what it holds.
                var r = ResultRegister(i.Dst, k);
                // A half of a vector register an SSE operation just computed: from its host register, not the store.
                if (i.Size != 8 || !LoadHeldXmm(r, i.Imm))
                {
                    FlushXmm(i.Imm, i.Size);
                    LoadSized(StateOperand(i.Imm), i.Size, r);
                }
                Result(r, i.Dst);
                return true;
            }
            case IrOp.StoreState when IsSunkStore(k):
                // A loop block's carried register: stored on the ways out only.
                return true;
            case IrOp.StoreState:
                ForgetXmm(i.Imm, i.Size);
                if (IsDeferred(k)) return true;
                if (i.A < _pure && Fits32(_constants[i.A]))
                {
                    StoreImmediate(StateOperand(i.Imm), i.Size, (int)_constants[i.A]);
                    if (i.Size == 8 && _constants[i.A] == 0) HoldZeroedHighHalf(i.Imm);
                    return true;
                }
                StoreStateFrom(i.A, i.Imm, i.Size);
                if (i.Size == 8) HoldStoredXmmHalf(i, k);
                return true;
            case IrOp.Add or IrOp.Sub or IrOp.And or IrOp.Or or IrOp.Xor or IrOp.Mul: return Alu(i, AluCodesOf(i.Op));
            case IrOp.Shl: return Shift(i, Code.Shl_rm64_CL, Code.Shl_rm64_imm8);
            case IrOp.Shr: return Shift(i, Code.Shr_rm64_CL, Code.Shr_rm64_imm8);
            case IrOp.Sar: return Shift(i, Code.Sar_rm64_CL, Code.Sar_rm64_imm8);
            case IrOp.Rol: return Rotate(i, left: true);
            case IrOp.Ror: return Rotate(i, left: false);
            case IrOp.MulHiU:
            case IrOp.MulHiS:
                LoadTemp(RAX, i.A);
                LoadTemp(RCX, i.B);
                E(Instruction.Create(i.Op == IrOp.MulHiU ? Code.Mul_rm64 : Code.Imul_rm64, RCX));
                StoreTemp(i.Dst, RDX);
                return true;
            case IrOp.Neg:
            case IrOp.Not:
            {
                var target = InPlace(i.Dst, i.A);
                E(Instruction.Create(i.Op == IrOp.Neg ? Code.Neg_rm64 : Code.Not_rm64, target));
                Result(target, i.Dst);
                return true;
            }
            case IrOp.ZExt:
            case IrOp.SExt:
            case IrOp.Bswap:
                return Unary(i);
            case IrOp.CmpEq: return Compare(i, Code.Sete_rm8, Code.Je_rel32_64);
            case IrOp.CmpNe: return Compare(i, Code.Setne_rm8, Code.Jne_rel32_64);
            case IrOp.CmpLtU: return Compare(i, Code.Setb_rm8, Code.Jb_rel32_64);
            case IrOp.CmpLeU: return Compare(i, Code.Setbe_rm8, Code.Jbe_rel32_64);
            case IrOp.CmpLtS: return Compare(i, Code.Setl_rm8, Code.Jl_rel32_64);
            case IrOp.CmpLeS: return Compare(i, Code.Setle_rm8, Code.Jle_rel32_64);
            case IrOp.Select:
                LoadTemp(RCX, i.A);
                E(Instruction.Create(Code.Test_rm64_r64, RCX, RCX));
                LoadTemp(RAX, i.C);
                Rm(Code.Cmovne_r64_rm64, i.B, RDX);
                StoreTemp(i.Dst);
                return true;
            case IrOp.Load:
                return GuestAccess(i, k, store: false);
            case IrOp.Store:
                return GuestAccess(i, k, store: true);
            case IrOp.PureCall when i.Helper == s_conditionPure:
                return LazyFlags(i, k, compute: false);
            case IrOp.PureCall when i.Helper == s_computePure:
                return LazyFlags(i, k, compute: true);
            case IrOp.PureCall when InlinePopCount(i):
                LoadTemp(RAX, i.A);
                E(Instruction.Create(Code.Popcnt_r64_rm64, RAX, RAX));
                StoreTemp(i.Dst);
                return true;
            case IrOp.Call when Inlined(i):
                // Other inlined helpers may write vector state (or take XMM registers).
                if (!InlineSseArith(i) && !InlineSseCompare(i) && !InlineWholeVector(i)) ForgetXmm();
                InlineCall(i, k);
                return true;
            case IrOp.Call:
            case IrOp.PureCall:
            {
                int stub = NewStub(k);
                JumpTo(Code.Jmp_rel32_64, stub);
                ResumeHere(k);
                _mxcsrControlsChecked = false;
                return true;
            }
            case IrOp.Jump when i.ReturnAddress != 0 && _jumps != null:
                DirectCall((ulong)i.Imm, i.ReturnAddress);
                return true;
            case IrOp.Jump:
                DirectExit((ulong)i.Imm);
                return true;
            case IrOp.JumpIndirect:
                LoadTemp(RAX, i.A);
                if (_jumps == null)
                {
                    ReturnNext();
                    return true;
                }
                // Through the jump table unless interrupted (the target's entry compares rax). RIP = the target only on
                // the ways out to the runner: the interrupt's, the entry's miss (NativeExitTails.Fill) and the bottom
                // return pair's (python3 and lua: a store per bytecode dispatched).
                E(Instruction.Create(Code.Cmp_rm8_imm8, InterruptWord, 0));
                JumpToTail(Code.Jne_rel32_64, NativeExitTails.StoreRip);
                if (i.IsReturn) ReturnThroughPair();
                if (i.ReturnAddress != 0) IndirectCall(i.ReturnAddress);
                else JumpThroughTable();
                return true;
            case IrOp.Branch:
                if (i.A < _pure)
                    DirectExit((ulong)(_constants[i.A] != 0 ? i.Imm : i.Imm2));
                else if (!_chain)
                {
                    LoadTemp(RCX, i.A);
                    E(Instruction.Create(Code.Test_rm64_r64, RCX, RCX));
                    MovImm(RAX, (ulong)i.Imm);
                    MovImm(RDX, (ulong)i.Imm2);
                    E(Instruction.Create(Code.Cmove_r64_rm64, RAX, RDX));
                    ReturnNext();
                }
                else
                {
                    TestTemp(i.A);
                    ChainedBranch(Code.Jne_rel32_64, i);
                }
                return true;
            case IrOp.SideExit:
                if (i.A >= _pure)
                {
                    TestTemp(i.A);
                    SideExitIf(Code.Jne_rel32_64, k);
                }
                else if (_constants[i.A] != 0) SideExitIf(Code.Jmp_rel32_64, k);
                return true;
            case IrOp.Syscall:
                MovImm(RAX, (ulong)i.Imm);
                E(Instruction.Create(Code.Mov_rm64_r64, StateOperand(CpuState.OffRip), RAX));
                E(Instruction.Create(Code.Xor_r32_rm32, EDX, EDX));
                E(Instruction.Create(Code.Mov_rm64_imm32, RAX, (int)ExitSyscall));
                LeaveToRunner();
                return true;
            default:
                return false;
        }
    }

    static readonly ushort s_conditionPure = HelperTable.Id(FlagHelpers.ConditionPure);
    static readonly ushort s_computePure = HelperTable.Id(FlagHelpers.ComputePure);
    static readonly ushort s_divide = HelperTable.Id(IntegerHelpers.Divide);
    static readonly ushort s_popCount = HelperTable.Id(IntegerHelpers.PopCount);

    static bool InlinePopCount(in IrInstr i) => i.Op == IrOp.PureCall && i.Helper == s_popCount && UserEmu.Host.HostCpuFeatures.Popcnt;

    /// <summary>div/idiv of 32 or 64 bits, which native code performs itself (<see cref="Divide"/>).</summary>
    static bool InlineDivide(in IrInstr i) => i.Op == IrOp.Call && i.Helper == s_divide && (i.Imm & 0xff) is 4 or 8;

    /// <summary>Helper calls that native code performs itself (leaving for the managed side only in rare cases): lazy-flags conditions and flags, 32/64-bit division, SSE arithmetic and compares, locked accesses, vector ops that are one host instruction, conversions between integers and floats, the x87 wait, rep movs/stos.</summary>
    static bool ReadsMxcsr(in IrInstr i) => i.Imm < CpuState.OffMxcsr + 4 && CpuState.OffMxcsr < i.Imm + i.Size;

    static bool Inlined(in IrInstr i) =>
        (i.Op == IrOp.PureCall && (i.Helper == s_conditionPure || i.Helper == s_computePure)) || InlinePopCount(i) || InlineDivide(i) || InlineSseArith(i) || InlineSseCompare(i) || InlineLocked(i) || InlineVectorOp(i) || InlineWholeVector(i) || InlineFromInteger(i) || InlineToInteger(i) || InlineX87Wait(i) || InlineStringOp(i);

    // A helper call of Inlined's, as native code.
    void InlineCall(in IrInstr i, int k)
    {
        if (InlineDivide(i)) Divide(i, k);
        else if (InlineSseArith(i)) SseArith(i, k);
        else if (InlineSseCompare(i)) SseCompare(i, k);
        else if (InlineLocked(i)) Locked(i, k);
        else if (InlineFromInteger(i)) FromInteger(i, k);
        else if (InlineToInteger(i)) ToInteger(i, k);
        else if (InlineX87Wait(i)) X87Wait(i, k);
        else if (InlineStringOp(i)) StringOp(i, k);
        else if (InlineWholeVector(i)) WholeVector(i, k);
        else VectorOp(i);
    }

    // div/idiv (IntegerHelpers.Divide) on the host when it cannot fault: a zero divisor, a quotient that may not fit
    // (unsigned: high half >= divisor; signed: a dividend wider than the operand, or a divisor of -1) and so #DE, go
    // to the helper, which raises the guest's SIGFPE. RAX and RDX are in the guest state (the op reads and writes
    // them there, as the helper does).
    void Divide(in IrInstr i, int k)
    {
        int size = (int)(i.Imm & 0xff);
        bool signed = (i.Imm & 0x100) != 0, wide = size == 8;
        int stub = NewStub(k);
        var rax = StateOperand(CpuState.GprOffset(CpuState.RAX));
        var rdx = StateOperand(CpuState.GprOffset(CpuState.RDX));
        LoadTemp(RCX, i.A);
        E(Instruction.Create(Code.Mov_r64_rm64, RAX, rax));
        E(Instruction.Create(Code.Mov_r64_rm64, RDX, rdx));
        _rax = -1;
        E(wide ? Instruction.Create(Code.Test_rm64_r64, RCX, RCX) : Instruction.Create(Code.Test_rm32_r32, ECX, ECX));
        JumpTo(Code.Je_rel32_64, stub);
        if (signed)
        {
            E(wide ? Instruction.Create(Code.Cmp_rm64_imm8, RCX, -1) : Instruction.Create(Code.Cmp_rm32_imm8, ECX, -1));
            JumpTo(Code.Je_rel32_64, stub);
            // The dividend must be the sign extension of its low half (cqo/cdq), so the quotient fits.
            if (wide)
            {
                E(Instruction.Create(Code.Mov_r64_rm64, R11, RAX));
                E(Instruction.Create(Code.Sar_rm64_imm8, R11, 63));
                E(Instruction.Create(Code.Cmp_r64_rm64, R11, RDX));
            }
            else
            {
                E(Instruction.Create(Code.Mov_r32_rm32, R11D, EAX));
                E(Instruction.Create(Code.Sar_rm32_imm8, R11D, 31));
                E(Instruction.Create(Code.Cmp_r32_rm32, R11D, EDX));
            }
            JumpTo(Code.Jne_rel32_64, stub);
            E(wide ? Instruction.Create(Code.Idiv_rm64, RCX) : Instruction.Create(Code.Idiv_rm32, ECX));
        }
        else
        {
            E(wide ? Instruction.Create(Code.Cmp_r64_rm64, RDX, RCX) : Instruction.Create(Code.Cmp_r32_rm32, EDX, ECX));
            JumpTo(Code.Jae_rel32_64, stub);
            E(wide ? Instruction.Create(Code.Div_rm64, RCX) : Instruction.Create(Code.Div_rm32, ECX));
        }
        // 32-bit results zero-extend, as the helper writes them.
        E(Instruction.Create(Code.Mov_rm64_r64, rax, RAX));
        E(Instruction.Create(Code.Mov_rm64_r64, rdx, RDX));
        HelperReturnedZero(i.Dst);
        ResumeHere(k);
    }
    bool Shift(in IrInstr i, Code byCl, Code byImm)
    {
        // The count first: the result's register may be the count's.
        if (i.B >= _pure) LoadTemp(RCX, i.B);
        var target = InPlace(i.Dst, i.A);
        if (i.B < _pure) E(Instruction.Create(byImm, target, (int)(_constants[i.B] & 63)));
        else E(Instruction.Create(byCl, target, CL));
        Result(target, i.Dst);
        return true;
    }

    // Op _k's result register (ResultRegister), loaded with operand a for an op computed in place.
    Register InPlace(ushort dst, ushort a)
    {
        var target = ResultRegister(dst, _k);
        if (target == RAX) LoadTemp(RAX, a);
        else if (Where(a) != target) MoveInto(target, a, narrow: false);
        return target;
    }

    // After an InPlace op: the result in rax goes to its temp.
    void Result(Register target, ushort dst)
    {
        if (target == RAX) StoreTemp(dst);
        else Defined(dst, _k);
    }

    // Rotates the low Size bytes; the result is zero-extended (IrSemantics.Rol/Ror).
    bool Rotate(in IrInstr i, bool left)
    {
        var (byCl, byImm, mask) = i.Size switch
        {
            1 => (left ? Code.Rol_rm8_CL : Code.Ror_rm8_CL, left ? Code.Rol_rm8_imm8 : Code.Ror_rm8_imm8, 7),
            2 => (left ? Code.Rol_rm16_CL : Code.Ror_rm16_CL, left ? Code.Rol_rm16_imm8 : Code.Ror_rm16_imm8, 15),
            4 => (left ? Code.Rol_rm32_CL : Code.Ror_rm32_CL, left ? Code.Rol_rm32_imm8 : Code.Ror_rm32_imm8, 31),
            _ => (left ? Code.Rol_rm64_CL : Code.Ror_rm64_CL, left ? Code.Rol_rm64_imm8 : Code.Ror_rm64_imm8, 63),
        };
        if (i.B >= _pure) LoadTemp(RCX, i.B);
        var target = InPlace(i.Dst, i.A);
        var reg = Sized(target, i.Size);
        if (i.B < _pure) E(Instruction.Create(byImm, reg, (int)(_constants[i.B] & (ulong)mask)));
        else E(Instruction.Create(byCl, reg, CL));
        var low = Low32(target);
        switch (i.Size)
        {
            case 1: E(Instruction.Create(Code.Movzx_r32_rm8, low, reg)); break;
            case 2: E(Instruction.Create(Code.Movzx_r32_rm16, low, reg)); break;
            // A rotate by 0 need not clear bits 63..32 (by a constant other than 0 it does).
            case 4 when i.B >= _pure || (_constants[i.B] & 31) == 0: E(Instruction.Create(Code.Mov_r32_rm32, low, low)); break;
        }
        Result(target, i.Dst);
        return true;
    }

    bool Unary(in IrInstr i)
    {
        if (i.A < _pure)
        {
            MovImm(RAX, IrEval.Unary(i.Op, _constants[i.A], i.Size));
            StoreTemp(i.Dst);
            return true;
        }
        if (i.Op != IrOp.Bswap && i.Size is 1 or 2 or 4 && ResultRegister(i.Dst, _k) is var to && to != RAX)
        {
            // An extension reads its operand where it is (a register, rax or the frame) into the result's register.
            Extend(i, to);
            Defined(i.Dst, _k);
            return true;
        }
        var r = InPlace(i.Dst, i.A);
        Register r32 = Low32(r), r16 = Sized(r, 2), r8 = Sized(r, 1);
        switch (i.Op, i.Size)
        {
            case (IrOp.ZExt or IrOp.SExt, _): ExtendInPlace(i.Op, i.Size, r); break;
            case (IrOp.Bswap, 2):
                E(Instruction.Create(Code.Movzx_r32_rm16, r32, r16));
                E(Instruction.Create(Code.Rol_rm16_imm8, r16, 8));
                break;
            case (IrOp.Bswap, 4): E(Instruction.Create(Code.Bswap_r32, r32)); break;
            case (IrOp.Bswap, _): E(Instruction.Create(Code.Bswap_r64, r)); break;
        }
        Result(r, i.Dst);
        return true;
    }

    // r = r zero- or sign-extended from its low `size` bytes (1, 2 or 4; an extension from 8 bytes is no op).
    void ExtendInPlace(IrOp op, int size, Register r)
    {
        Register r32 = Low32(r), r16 = Sized(r, 2), r8 = Sized(r, 1);
        switch (op, size)
        {
            case (IrOp.ZExt, 1): E(Instruction.Create(Code.Movzx_r32_rm8, r32, r8)); break;
            case (IrOp.ZExt, 2): E(Instruction.Create(Code.Movzx_r32_rm16, r32, r16)); break;
            case (IrOp.ZExt, 4): E(Instruction.Create(Code.Mov_r32_rm32, r32, r32)); break;
            case (IrOp.SExt, 1): E(Instruction.Create(Code.Movsx_r64_rm8, r, r8)); break;
            case (IrOp.SExt, 2): E(Instruction.Create(Code.Movsx_r64_rm16, r, r16)); break;
            case (IrOp.SExt, 4): E(Instruction.Create(Code.Movsxd_r64_rm32, r, r32)); break;
        }
    }

    // target = zext/sext of temp i.A's low i.Size bytes.
    void Extend(in IrInstr i, Register target)
    {
        var from = Where(i.A);
        if (from != RAX) CheckInFrame(i.A);
        var code = (i.Op, i.Size) switch
        {
            (IrOp.ZExt, 1) => Code.Movzx_r32_rm8,
            (IrOp.ZExt, 2) => Code.Movzx_r32_rm16,
            (IrOp.ZExt, _) => Code.Mov_r32_rm32,
            (IrOp.SExt, 1) => Code.Movsx_r64_rm8,
            (IrOp.SExt, 2) => Code.Movsx_r64_rm16,
            _ => Code.Movsxd_r64_rm32,
        };
        var to = i.Op == IrOp.ZExt ? Low32(target) : target;
        if (from == Register.None) E(Instruction.Create(code, to, Temp(i.A)));
        else E(Instruction.Create(code, to, Sized(from, i.Size)));
    }

    // The op after this one that this one's code performs (-1: none): a branch that alone reads a compare (cmp and
    // jcc), a zero-extension that alone reads a 32-bit ALU result (the host's 32-bit op).
    int _fusedNext = -1;

    // The host's ZF = (temp t == 0), for a jcc on it.
    void TestTemp(ushort t)
    {
        var r = InRegister(t);
        if (r == RAX) LoadTemp(RAX, t);
        E(Instruction.Create(Code.Test_rm64_r64, r, r));
    }

    // The register temp t is in, if it has one and rax is not the only place its value is; else rax.
    Register InRegister(ushort t) => t >= _pure && _rax != t && _reg[t] != Register.None ? _reg[t] : RAX;

    bool Compare(in IrInstr i, Code setcc, Code jcc)
    {
        // Equality commutes: a second operand left in rax by the previous op is taken first.
        var (a, b) = i.Op is IrOp.CmpEq or IrOp.CmpNe && TakesBFirst(_k) ? (i.B, i.A) : (i.A, i.B);
        // The first operand from its register where it has one (not copied to rax first).
        var ra = InRegister(a);
        if (ra == RAX) LoadTemp(RAX, a);
        if (b < _pure && Fits32(_constants[b])) E(Instruction.Create(Code.Cmp_rm64_imm32, ra, (int)_constants[b]));
        else if (b < _pure)
        {
            MovImm(RCX, _constants[b]);
            E(Instruction.Create(Code.Cmp_r64_rm64, ra, RCX));
        }
        else if (_reg[b] != Register.None) E(Instruction.Create(Code.Cmp_r64_rm64, ra, _reg[b]));
        // A second operand just spilled from rax (gzip's longest_match: a byte zero-extended, then compared).
        else if (_rax == b) E(Instruction.Create(Code.Cmp_r64_rm64, ra, RAX));
        else E(Instruction.Create(Code.Cmp_r64_rm64, ra, Temp(b)));
        if (_k + 1 < _n && _code[_k + 1].Op is IrOp.Branch or IrOp.SideExit && _code[_k + 1].A == i.Dst && _uses[i.Dst] == 1
            && (_chain || _code[_k + 1].Op == IrOp.SideExit))
        {
            // The block ends (or leaves by a side exit) branching on this compare alone: cmp and jcc, no 0/1 value.
            _fusedNext = _k + 1;
            if (_code[_k + 1].Op == IrOp.SideExit) SideExitIf(jcc, _k + 1);
            else ChainedBranch(jcc, _code[_k + 1]);
            return true;
        }
        E(Instruction.Create(setcc, AL));
        E(Instruction.Create(Code.Movzx_r32_rm8, EAX, AL));
        StoreTemp(i.Dst);
        return true;
    }

    // state[offset]:size = temp t, straight from its register when it has one and rax does not hold it.
    void StoreStateFrom(ushort t, long offset, int size)
    {
        var m = StateOperand(offset);
        if (_rax != t && t >= _pure && _reg[t] != Register.None)
        {
            StoreSized(m, size, _reg[t]);
            return;
        }
        LoadTemp(RAX, t);
        StoreSized(m, size, RAX);
    }

    // m:size = a constant (sign-extended from 32 bits for size 8).
    void StoreImmediate(MemoryOperand m, int size, int v) => E(size switch
    {
        1 => Instruction.Create(Code.Mov_rm8_imm8, m, v & 0xff),
        2 => Instruction.Create(Code.Mov_rm16_imm16, m, v & 0xffff),
        4 => Instruction.Create(Code.Mov_rm32_imm32, m, v),
        _ => Instruction.Create(Code.Mov_rm64_imm32, m, v),
    });

    void StoreSized(MemoryOperand m, int size, Register r64)
    {
        var code = size switch
        {
            1 => Code.Mov_rm8_r8,
            2 => Code.Mov_rm16_r16,
            4 => Code.Mov_rm32_r32,
            _ => Code.Mov_rm64_r64,
        };
        E(Instruction.Create(code, m, Sized(r64, size)));
    }

    // The low `size` bytes of a 64-bit register (the REX byte forms for rbp, rsi, rdi: bpl, not ch).
    static Register Sized(Register r64, int size) => size switch
    {
        8 => r64,
        4 => Low32(r64),
        2 => Low32(r64) - Register.EAX + Register.AX,
        _ => Low32(r64) switch
        {
            EBP => BPL,
            var r32 when r32 >= R8D => r32 - Register.R8D + Register.R8L,
            var r32 => r32 - Register.EAX + Register.AL,
        },
    };
}
