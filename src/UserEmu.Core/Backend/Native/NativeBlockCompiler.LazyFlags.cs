using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using UserEmu.Host;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

// NativeBlockCompiler, continued: conditions and flags of lazy flags whose CcOp is known only at run time.
public sealed unsafe partial class NativeBlockCompiler
{
    /// <summary>CF, PF, AF, ZF, SF and OF at their RFLAGS positions (LazyFlags.ArithMask).</summary>
    const int ArithFlags = 0x8D5, AuxFlag = 0x10, ZeroSignParity = 0xC4;
    static readonly Code[] s_setcc =
    [
        Code.Seto_rm8, Code.Setno_rm8, Code.Setb_rm8, Code.Setae_rm8, Code.Sete_rm8, Code.Setne_rm8, Code.Setbe_rm8,
        Code.Seta_rm8, Code.Sets_rm8, Code.Setns_rm8, Code.Setp_rm8, Code.Setnp_rm8, Code.Setl_rm8, Code.Setge_rm8,
        Code.Setle_rm8, Code.Setg_rm8,
    ];

    // A condition (ConditionPure) or all six flags (ComputePure) of lazy flags whose CcOp is known only at run time
    // (set in an earlier block): for the common sub/cmp, add and logic ops the host redoes the operation at its size
    // (a - src = dst, so cmp a, src; a + src = dst; test dst), and its setcc, or its RFLAGS, has the very flags x86
    // defines (same operands, same result: AF too). ZF and SF of any op come from testing CcDst, CF after inc, dec
    // and sar and CF/OF after mul from CcSrc, shifts' six flags from both, and materialised flags (CcOp.Eflags) are
    // CcSrc itself; what is left goes to the managed helper.
    bool LazyFlags(in IrInstr i, int k, bool compute)
    {
        if (i.A < _pure && ConstantKindFlags(i, compute)) return true;
        var cond = (Cond)((int)i.Imm & ~1);
        if (!compute && cond is Cond.E or Cond.S)
        {
            // ZF and SF are those of CcDst at the op's size (CcOp's low two bits), whatever the op: never the helper.
            LoadTemp(RCX, i.B);
            LoadTemp(RDX, i.C);
            LoadTemp(RAX, i.A);
            int test = NewLabel(), materialised = NewLabel();
            E(Instruction.Create(Code.Test_rm32_r32, EAX, EAX));
            JumpTo(Code.Je_rel32_64, materialised);
            BySize(size =>
            {
                TestDst(size);
                JumpTo(Code.Jmp_rel32_64, test);
            });
            Bind(materialised);
            LoadMaterialisedFlags(overflow: false);
            JumpTo(Code.Jmp_rel32_64, test);
            Bind(test);
            ResultFromHostFlags(i, compute: false, logic: false);
            StoreTemp(i.Dst);
            return true;
        }
        int stub = NewStub(k), set = NewLabel(), setLogic = compute ? NewLabel() : set;
        LoadTemp(RCX, i.B);
        LoadTemp(RDX, i.C);
        LoadTemp(RAX, i.A);
        int done = NewLabel();
        foreach (var op in s_redone)
        {
            int next = NewLabel();
            E(Instruction.Create(Code.Cmp_rm32_imm32, EAX, (int)op));
            JumpTo(Code.Jne_rel32_64, next);
            Redo(op);
            // The host's test leaves AF undefined where LazyFlags has 0.
            JumpTo(Code.Jmp_rel32_64, IsLogic(op) ? setLogic : set);
            Bind(next);
        }
        if (!compute && cond is Cond.O or Cond.B)
        {
            // After mul and imul CF = OF = (CcSrc != 0).
            int notMul = NewLabel();
            CompareKind(CcKind.Mul, 1);
            JumpTo(Code.Jae_rel32_64, notMul);
            E(Instruction.Create(Code.Test_rm64_r64, RDX, RDX));
            E(Instruction.Create(((int)i.Imm & 1) == 0 ? Code.Setne_rm8 : Code.Sete_rm8, AL));
            E(Instruction.Create(Code.Movzx_r32_rm8, EAX, AL));
            JumpTo(Code.Jmp_rel32_64, done);
            Bind(notMul);
        }
        if (!compute && cond == Cond.B)
        {
            // CF alone (adc, inc/dec after a flags op of an earlier block, jb/jae): for materialised flags, inc/dec
            // and sar it is bit 0 of CcSrc.
            int fromSrc = NewLabel();
            E(Instruction.Create(Code.Test_rm32_r32, EAX, EAX));
            JumpTo(Code.Je_rel32_64, fromSrc);
            CompareKind(CcKind.Inc, 2); // inc or dec
            JumpTo(Code.Jb_rel32_64, fromSrc);
            CompareKind(CcKind.Sar, 1);
            JumpTo(Code.Jae_rel32_64, stub);
            Bind(fromSrc);
            E(Instruction.Create(Code.Bt_rm32_imm8, EDX, 0));
            JumpTo(Code.Jmp_rel32_64, set);
        }
        if (!compute)
        {
            // CcOp.Eflags (after popf, sahf, comisd...): the flags themselves, in CcSrc, become the host's.
            E(Instruction.Create(Code.Test_rm32_r32, EAX, EAX));
            JumpTo(Code.Jne_rel32_64, stub);
            LoadMaterialisedFlags(overflow: cond is Cond.O or Cond.L or Cond.LE);
            JumpTo(Code.Jmp_rel32_64, set);
        }
        if (compute)
        {
            // CcOp.Eflags: the flags themselves, in CcSrc.
            int next = NewLabel();
            E(Instruction.Create(Code.Test_rm32_r32, EAX, EAX));
            JumpTo(Code.Jne_rel32_64, next);
            MaterialisedFlagsValue();
            JumpTo(Code.Jmp_rel32_64, done);
            Bind(next);
            ShiftFlags(CcKind.Sar, done);
            ShiftFlags(CcKind.Shl, done);
        }
        JumpTo(Code.Jmp_rel32_64, stub);
        if (compute)
        {
            Bind(setLogic);
            ResultFromHostFlags(i, compute, logic: true);
            JumpTo(Code.Jmp_rel32_64, done);
        }
        Bind(set);
        ResultFromHostFlags(i, compute, logic: false);
        Bind(done);
        StoreTemp(i.Dst);
        ResumeHere(k);
        return true;
    }

    // The ops whose flags the host gets by redoing the operation (Redo), in the order the run-time dispatch tests them.
    static readonly CcOp[] s_redone =
        [CcOp.Sub32, CcOp.Sub64, CcOp.Logic32, CcOp.Logic64, CcOp.Sub8, CcOp.Logic8, CcOp.Add64, CcOp.Add32, CcOp.Sub16, CcOp.Logic16];

    static bool IsLogic(CcOp op) => op is CcOp.Logic8 or CcOp.Logic16 or CcOp.Logic32 or CcOp.Logic64;

    // The host's flags = those of op on CcDst (rcx) and CcSrc (rdx): a - src = dst, so cmp a, src; a + src = dst; test dst.
    void Redo(CcOp op)
    {
        var sumLow = new MemoryOperand(RCX, RDX, 1, 0, 0);
        switch (op)
        {
            case CcOp.Sub32: E(Instruction.Create(Code.Lea_r32_m, R11D, sumLow)); E(Instruction.Create(Code.Cmp_r32_rm32, R11D, EDX)); break;
            case CcOp.Sub64: E(Instruction.Create(Code.Lea_r64_m, R11, sumLow)); E(Instruction.Create(Code.Cmp_r64_rm64, R11, RDX)); break;
            case CcOp.Sub8: E(Instruction.Create(Code.Lea_r32_m, R11D, sumLow)); E(Instruction.Create(Code.Cmp_r8_rm8, R11L, DL)); break;
            case CcOp.Sub16: E(Instruction.Create(Code.Lea_r32_m, R11D, sumLow)); E(Instruction.Create(Code.Cmp_r16_rm16, R11W, DX)); break;
            case CcOp.Add64:
                E(Instruction.Create(Code.Mov_r64_rm64, R11, RCX));
                E(Instruction.Create(Code.Sub_r64_rm64, R11, RDX));
                E(Instruction.Create(Code.Add_r64_rm64, R11, RDX));
                break;
            case CcOp.Add32:
                E(Instruction.Create(Code.Mov_r32_rm32, R11D, ECX));
                E(Instruction.Create(Code.Sub_r32_rm32, R11D, EDX));
                E(Instruction.Create(Code.Add_r32_rm32, R11D, EDX));
                break;
            case CcOp.Logic8: E(Instruction.Create(Code.Test_rm8_r8, CL, CL)); break;
            case CcOp.Logic16: E(Instruction.Create(Code.Test_rm16_r16, CX, CX)); break;
            case CcOp.Logic32: E(Instruction.Create(Code.Test_rm32_r32, ECX, ECX)); break;
            default: E(Instruction.Create(Code.Test_rm64_r64, RCX, RCX)); break;
        }
    }

    /// <summary>
    /// The lazy flags of a CcOp known when the code is compiled (stored earlier in the block, past whatever made the
    /// frontend forget it: a helper call such as an AVX2 compare in glibc's strcmp), without the run-time dispatch
    /// over kinds (~40 host instructions): false where only that dispatch knows the way.
    /// </summary>
    bool ConstantKindFlags(in IrInstr i, bool compute)
    {
        var op = (CcOp)(uint)_constants[i.A];
        var kind = (CcKind)((uint)op >> 2);
        int size = 1 << ((int)op & 3);
        var cond = (Cond)((int)i.Imm & ~1);
        bool redone = Array.IndexOf(s_redone, op) >= 0;
        bool fromSrcBit0 = !compute && cond == Cond.B && kind is CcKind.Inc or CcKind.Dec or CcKind.Sar;
        bool zeroOrSign = !compute && cond is Cond.E or Cond.S;
        if (!redone && !fromSrcBit0 && !zeroOrSign && op != CcOp.Eflags) return false;
        LoadTemp(RCX, i.B);
        LoadTemp(RDX, i.C);
        _rax = -1;
        if (op == CcOp.Eflags)
        {
            if (compute)
            {
                MaterialisedFlagsValue();
                StoreTemp(i.Dst);
                return true;
            }
            LoadMaterialisedFlags(overflow: cond is Cond.O or Cond.L or Cond.LE);
        }
        else if (redone) Redo(op);
        else if (fromSrcBit0) E(Instruction.Create(Code.Bt_rm32_imm8, EDX, 0));
        else TestDst(size);
        ResultFromHostFlags(i, compute, IsLogic(op));
        StoreTemp(i.Dst);
        return true;
    }

    // eax = the host's flags as the op's result: all six (AF cleared after a logic op, where the host's test leaves it
    // undefined) for ComputePure, or the condition's 0 or 1 for ConditionPure.
    void ResultFromHostFlags(in IrInstr i, bool compute, bool logic)
    {
        if (compute)
        {
            E(Instruction.Create(Code.Pushfq));
            E(Instruction.Create(Code.Pop_r64, RAX));
            E(Instruction.Create(Code.And_rm32_imm32, EAX, logic ? ArithFlags & ~AuxFlag : ArithFlags));
            return;
        }
        E(Instruction.Create(s_setcc[(int)i.Imm & 15], AL));
        E(Instruction.Create(Code.Movzx_r32_rm8, EAX, AL));
    }

    // eax = the six flags of materialised lazy flags (CcOp.Eflags), which CcSrc (rdx) holds at their RFLAGS positions.
    void MaterialisedFlagsValue()
    {
        E(Instruction.Create(Code.Mov_r32_rm32, EAX, EDX));
        E(Instruction.Create(Code.And_rm32_imm32, EAX, ArithFlags));
    }

    /// <summary>
    /// Compares the CcOp in eax with the <paramref name="kinds"/> kinds from <paramref name="first"/> on, at every
    /// size: below (jb) when it is one of them, above or equal (jae) when not.
    /// </summary>
    void CompareKind(CcKind first, int kinds)
    {
        E(Instruction.Create(Code.Lea_r32_m, R11D, new MemoryOperand(RAX, -(int)first * 4)));
        E(Instruction.Create(Code.Cmp_rm32_imm8, R11D, 4 * kinds));
    }

    /// <summary>Emits <paramref name="body"/> once per operand size (1, 2, 4, 8 bytes), chosen at run time by CcOp's low two bits (in eax); each body must jump away.</summary>
    void BySize(Action<int> body)
    {
        int[] at = [NewLabel(), NewLabel(), NewLabel()];
        E(Instruction.Create(Code.Mov_r32_rm32, R11D, EAX));
        E(Instruction.Create(Code.And_rm32_imm8, R11D, 3));
        JumpTo(Code.Je_rel32_64, at[0]);
        E(Instruction.Create(Code.Cmp_rm32_imm8, R11D, 2));
        JumpTo(Code.Jb_rel32_64, at[1]);
        JumpTo(Code.Je_rel32_64, at[2]);
        body(8);
        for (int k = 0; k < 3; k++)
        {
            Bind(at[k]);
            body(1 << k);
        }
    }

    /// <summary>Host ZF, SF and PF = those of CcDst (rcx) at <paramref name="size"/> bytes (test; CF and OF cleared).</summary>
    void TestDst(int size) => E(size switch
    {
        1 => Instruction.Create(Code.Test_rm8_r8, CL, CL),
        2 => Instruction.Create(Code.Test_rm16_r16, CX, CX),
        4 => Instruction.Create(Code.Test_rm32_r32, ECX, ECX),
        _ => Instruction.Create(Code.Test_rm64_r64, RCX, RCX),
    });

    /// <summary>r11 = bit <paramref name="bit"/> of <paramref name="source"/> (0 or 1).</summary>
    void BitOf(Register source, int bit)
    {
        E(Instruction.Create(Code.Mov_r64_rm64, R11, source));
        if (bit != 63) E(Instruction.Create(Code.Shl_rm64_imm8, R11, 63 - bit));
        E(Instruction.Create(Code.Shr_rm64_imm8, R11, 63));
    }

    // All six flags after a shift (rotates start from them: cc1 computed them 6.6M times after shr): ZF, SF and PF
    // of CcDst; OF = the sign bit of CcSrc ^ CcDst; CF = CcSrc's bit 0 (sar, shr) or its sign bit (shl); AF 0.
    void ShiftFlags(CcKind kind, int done)
    {
        int next = NewLabel();
        CompareKind(kind, 1);
        JumpTo(Code.Jae_rel32_64, next);
        BySize(size =>
        {
            int sign = 8 * size - 1;
            TestDst(size);
            E(Instruction.Create(Code.Pushfq));
            E(Instruction.Create(Code.Pop_r64, RAX));
            E(Instruction.Create(Code.And_rm32_imm32, EAX, ZeroSignParity));
            E(Instruction.Create(Code.Xor_r64_rm64, RCX, RDX));
            BitOf(RCX, sign);
            E(Instruction.Create(Code.Shl_rm32_imm8, R11D, 11));
            E(Instruction.Create(Code.Or_r32_rm32, EAX, R11D));
            BitOf(RDX, kind == CcKind.Shl ? sign : 0);
            E(Instruction.Create(Code.Or_r32_rm32, EAX, R11D));
            JumpTo(Code.Jmp_rel32_64, done);
        });
        Bind(next);
    }

    /// <summary>
    /// Host CF, PF, AF, ZF and SF (and OF with <paramref name="overflow"/>) = those of CcSrc (rdx), which holds them at
    /// their RFLAGS positions; clobbers ah and r11.
    /// </summary>
    /// <remarks>
    /// sahf, and an add that overflows exactly when OF is set, where popf took ~10% of nbody's native-code samples
    /// (glibc's sqrt tests its argument with ucomisd, whose flags are materialised): popf is microcoded.
    /// </remarks>
    void LoadMaterialisedFlags(bool overflow)
    {
        if (!HostCpuFeatures.LahfSahf)
        {
            E(Instruction.Create(Code.Mov_r32_rm32, R11D, EDX));
            E(Instruction.Create(Code.And_rm32_imm32, R11D, ArithFlags));
            E(Instruction.Create(Code.Push_r64, R11));
            E(Instruction.Create(Code.Popfq));
            return;
        }
        if (overflow)
        {
            // r11b = OF (0 or 1); 0x7f + 1 overflows, 0x7f + 0 does not.
            E(Instruction.Create(Code.Mov_r32_rm32, R11D, EDX));
            E(Instruction.Create(Code.Shr_rm32_imm8, R11D, 11));
            E(Instruction.Create(Code.And_rm32_imm8, R11D, 1));
            E(Instruction.Create(Code.Add_rm8_imm8, R11L, 0x7f));
        }
        // sahf: SF, ZF, AF, PF and CF from ah (bits 7, 6, 4, 2, 0), OF untouched.
        E(Instruction.Create(Code.Mov_r8_rm8, AH, DL));
        E(Instruction.Create(Code.Sahf));
    }
}
