using Iced.Intel;
using UserEmu.Cpu.X86;

namespace UserEmu.Frontend.X86;

/// <summary>
/// VEX.128 and VEX.256 forms of the legacy SSE families (<see cref="VexLegacyForms"/>): the legacy emitter runs on
/// scratch copies of each 128-bit lane, then the result is committed to the destination with bits 255:128 zeroed
/// (VEX.128) or taken from the upper lane (VEX.256). Sources are staged before anything architectural is written.
/// </summary>
static class InstEmitVexSse
{
    const int T0 = VexSlots.T0, T1 = VexSlots.T1, A = VexSlots.A, B = VexSlots.B;

    /// <summary>VEX instructions that read their first vector operand but write no vector register (flags, a GPR, or XMM0 implicitly).</summary>
    static bool NoVectorWrite(Mnemonic m) => m is
        Mnemonic.Vptest or Mnemonic.Vcomiss or Mnemonic.Vcomisd or Mnemonic.Vucomiss or Mnemonic.Vucomisd or
        Mnemonic.Vpcmpistri or Mnemonic.Vpcmpestri or Mnemonic.Vpcmpestri64 or Mnemonic.Vpcmpistrm or Mnemonic.Vpcmpestrm or Mnemonic.Vpcmpestrm64;

    // Per mnemonic (bool arrays: a HashSet<Mnemonic> had no ReadyToRun code and was JIT-compiled at every start).
    static readonly bool[] s_generic = new bool[IcedCodeNames.MnemonicCount], s_generic128 = new bool[IcedCodeNames.MnemonicCount];

    /// <summary>Whether every form of <paramref name="m"/> goes through the generic lowering (the rest have emitters of their own).</summary>
    public static bool IsGeneric(Mnemonic m) => s_generic[(int)m];

    /// <summary>Whether the 256-bit forms of <paramref name="m"/> have their own emitter and its 128-bit forms use the generic lowering.</summary>
    public static bool IsGeneric128(Mnemonic m) => s_generic128[(int)m];

    /// <summary>Marks <paramref name="m"/> as <see cref="IsGeneric128"/>.</summary>
    public static void MarkGeneric128(Mnemonic m) => s_generic128[(int)m] = true;

    /// <summary>
    /// Registers the generic lowering for every VEX mnemonic without an emitter of its own; a form without a legacy
    /// counterpart (looked up when first translated) is SIGILL there, as it would be with no emitter at all.
    /// </summary>
    public static void Install(X86EmitterTable t)
    {
        InsnEmitter generic = e => Lower(e, t);
        foreach (var code in IcedCodeNames.All)
        {
            if (code.Encoding() != EncodingKind.VEX) continue;
            var m = code.Mnemonic();
            if (t[m] != null) continue;
            t[m] = generic;
            s_generic[(int)m] = true;
        }
        // VEX compares take 32 predicates where the legacy emitters keep imm8 & 7.
        t[Mnemonic.Vcmpps] = e => Lower(e, t, InstEmitSseFloatArith.CompareVex(single: true, scalar: false));
        t[Mnemonic.Vcmppd] = e => Lower(e, t, InstEmitSseFloatArith.CompareVex(single: false, scalar: false));
        t[Mnemonic.Vcmpss] = e => Lower(e, t, InstEmitSseFloatArith.CompareVex(single: true, scalar: true));
        t[Mnemonic.Vcmpsd] = e => Lower(e, t, InstEmitSseFloatArith.CompareVex(single: false, scalar: true));
    }

    /// <summary>The generic lowering, also the fallback of mnemonics whose other forms have their own emitters.</summary>
    /// <param name="laneEmitter">Runs on each lane instead of the legacy mnemonic's emitter (for VEX-only semantics).</param>
    public static void Lower(X86Emitter e, X86EmitterTable t, InsnEmitter? laneEmitter = null)
    {
        if (!VexLegacyForms.TryGet(e.Insn.Code, out var form) || (laneEmitter ?? t[form.Legacy.Mnemonic()]) is not { } legacy)
        {
            e.Unsupported();
            return;
        }
        if (form.Ymm) LowerYmm(e, form, legacy);
        else Lower128(e, form, legacy);
    }

    /// <summary>Whether operand <paramref name="n"/> is an XMM or YMM register.</summary>
    internal static bool IsVecReg(in Instruction insn, int n) =>
        insn.GetOpKind(n) == OpKind.Register && (insn.GetOpRegister(n).IsXMM() || insn.GetOpRegister(n).IsYMM());

    static void Lower128(X86Emitter e, VexLegacyForms.Form form, InsnEmitter legacy)
    {
        var insn = e.Insn;
        var syn = insn;
        syn.Code = form.Legacy;
        bool writes = IsVecReg(insn, 0) && !NoVectorWrite(insn.Mnemonic);
        int shift = form.Nds ? 1 : 0;
        for (int i = 1; i < syn.OpCount; i++) CopyOperand(e, insn, ref syn, i, i + shift);
        if (writes)
        {
            e.CopyVec(T0, X86Emitter.VecIndex(insn.GetOpRegister(shift)));
            syn.SetOpKind(0, OpKind.Register);
            syn.SetOpRegister(0, X86Emitter.XmmRegister(T0));
        }
        // insertps reads a 32-bit memory operand whole: its source-element field applies to register sources only.
        if (insn.Mnemonic == Mnemonic.Vinsertps && insn.Op2Kind == OpKind.Memory) syn.Immediate8 = (byte)(insn.Immediate8 & 0x3F);
        e.EmitAs(syn, legacy);
        if (writes)
        {
            int dst = X86Emitter.VecIndex(insn.GetOpRegister(0));
            e.CopyVec(dst, T0);
            e.ZeroUpper(dst);
        }
        else if (insn.Mnemonic is Mnemonic.Vpcmpistrm or Mnemonic.Vpcmpestrm or Mnemonic.Vpcmpestrm64)
        {
            e.ZeroUpper(0);
        }
    }

    /// <summary>Legacy operand <paramref name="to"/> from VEX operand <paramref name="from"/>; 16-byte memory is staged in slot A (VEX has no alignment rule).</summary>
    static void CopyOperand(X86Emitter e, in Instruction insn, ref Instruction syn, int to, int from)
    {
        var kind = insn.GetOpKind(from);
        if (kind == OpKind.Memory && insn.MemorySize.GetSize() >= 16)
        {
            e.LoadVec(A, e.Ea(), 16);
            syn.SetOpKind(to, OpKind.Register);
            syn.SetOpRegister(to, X86Emitter.XmmRegister(A));
            return;
        }
        syn.SetOpKind(to, kind);
        if (kind == OpKind.Register) syn.SetOpRegister(to, insn.GetOpRegister(from));
    }

    static void LowerYmm(X86Emitter e, VexLegacyForms.Form form, InsnEmitter legacy)
    {
        var insn = e.Insn;
        int shift = form.Nds ? 1 : 0;
        int first = X86Emitter.VecIndex(insn.GetOpRegister(shift));
        // Stage the second source's lanes: memory into A (low) and B (high), a register's high lane into B.
        int lo = -1, hi = -1;
        int srcOp = 1 + shift;
        if (srcOp < insn.OpCount && insn.GetOpKind(srcOp) is OpKind.Register or OpKind.Memory)
        {
            bool count = insn.GetOpKind(srcOp) == OpKind.Register ? insn.GetOpRegister(srcOp).IsXMM() : insn.MemorySize.GetSize() == 16;
            if (insn.GetOpKind(srcOp) == OpKind.Memory)
            {
                if (count) { e.LoadVec(A, e.Ea(), 16); lo = hi = A; }
                else { e.LoadYmm(A, e.Ea()); e.CopyState16(CpuState.XmmOffset(B), CpuState.XmmOffset(A) + 16); lo = A; hi = B; }
            }
            else
            {
                int r = X86Emitter.VecIndex(insn.GetOpRegister(srcOp));
                lo = r;
                if (count) hi = r;
                else { e.CopyState16(CpuState.XmmOffset(B), CpuState.XmmOffset(r) + 16); hi = B; }
            }
        }
        e.CopyVec(T0, first);
        e.CopyState16(CpuState.XmmOffset(T1), CpuState.XmmOffset(first) + 16);

        for (int lane = 0; lane < 2; lane++)
        {
            var syn = insn;
            syn.Code = form.Legacy;
            syn.SetOpKind(0, OpKind.Register);
            syn.SetOpRegister(0, X86Emitter.XmmRegister(lane == 0 ? T0 : T1));
            for (int i = 1; i < syn.OpCount; i++)
            {
                int from = i + shift;
                var kind = insn.GetOpKind(from);
                if (kind is OpKind.Register or OpKind.Memory)
                {
                    syn.SetOpKind(i, OpKind.Register);
                    syn.SetOpRegister(i, X86Emitter.XmmRegister(lane == 0 ? lo : hi));
                }
                else syn.SetOpKind(i, kind);
            }
            if (lane == 1) syn.Immediate8 = (byte)UpperLaneImm(insn.Mnemonic, insn.Immediate8);
            e.EmitAs(syn, legacy);
        }
        int dst = X86Emitter.VecIndex(insn.GetOpRegister(0));
        e.CopyVec(dst, T0);
        e.CopyState16(CpuState.XmmOffset(dst) + 16, CpuState.XmmOffset(T1));
    }

    /// <summary>The immediate the upper lane uses: most 256-bit forms repeat it, a few take their own bits of it.</summary>
    static int UpperLaneImm(Mnemonic m, int imm) => m switch
    {
        Mnemonic.Vblendps => imm >> 4,
        Mnemonic.Vblendpd or Mnemonic.Vshufpd => imm >> 2,
        Mnemonic.Vmpsadbw => imm >> 3,
        _ => imm,
    };
}
