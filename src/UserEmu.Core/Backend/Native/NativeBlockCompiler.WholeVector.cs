using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.Host;
using UserEmu.IR;
using static Iced.Intel.Register;
using W = UserEmu.Cpu.X86.WholeVectorHelpers;

namespace UserEmu.Backend.Native;

// NativeBlockCompiler, continued: WholeVectorHelpers' instructions as the host's own, on host YMM registers that stay
// in the XMM cache (width 32) from one to the next. Results are still stored to the state whole (the rest of the code
// reads it there). A memory operand gets the bounds check of a guest access (and, for a store, the check for
// translated code) with its host fault sent to the op's stub, where the managed side runs the helper and faults as
// the interpreter does.
public sealed unsafe partial class NativeBlockCompiler
{
    static readonly ushort s_wholeOnRegisters = HelperTable.Id(W.OnRegisters);
    static readonly ushort s_wholeWithMemory = HelperTable.Id(W.WithMemory);

    // A host without AVX2 leaves these to the helpers (the guest sees AVX2 through our CPUID, not the host's), and so
    // does one without the fault redirect for the memory forms: their accesses have no page-table check of their own.
    static bool InlineWholeVector(in IrInstr i) =>
        i.Op == IrOp.Call && HostCpuFeatures.Avx2
        && (i.Helper == s_wholeOnRegisters || (i.Helper == s_wholeWithMemory && NativeFaultRedirect.Enabled));

    static bool WholeVectorWithMemory(in IrInstr i) => i.Helper == s_wholeWithMemory && InlineWholeVector(i);

    // Set once a 256-bit host instruction ran: a vzeroupper before the next legacy-SSE code or exit (UpperClean).
    bool _upperDirty;

    void WholeVector(in IrInstr i, int k)
    {
        long imm = i.Imm;
        var op = W.OpOf(imm);
        bool ymm = W.IsYmm(imm);
        int width = ymm ? 32 : 16;
        if (op == W.Op.ZeroUppers)
        {
            // The host registers' upper lanes are zeroed as the state's: what the cache holds stays true.
            E(Instruction.Create(Code.VEX_Vzeroupper));
            _upperDirty = false;
            E(Instruction.Create(Code.VEX_Vpxor_xmm_xmm_xmmm128, XMM0, XMM0, XMM0));
            for (int r = 0; r < 16; r++) E(Instruction.Create(Code.VEX_Vmovdqu_xmmm128_xmm, StateOperand(CpuState.XmmOffset(r) + 16), XMM0));
            HelperReturnedZero(i.Dst);
            return;
        }
        if (ymm) _upperDirty = true;
        if (op == W.Op.MoveMaskB)
        {
            var src = HeldVector(CpuState.XmmOffset(VectorHelpers.Src(imm)), width, None);
            E(Instruction.Create(ymm ? Code.VEX_Vpmovmskb_r32_ymm : Code.VEX_Vpmovmskb_r32_xmm, EAX, Wide(src, ymm)));
            _rax = -1;
            StoreTemp(i.Dst);
            return;
        }
        int dstOff = CpuState.XmmOffset(VectorHelpers.Dst(imm));
        if (i.Helper == s_wholeOnRegisters)
        {
            var first = HeldVector(CpuState.XmmOffset(VectorHelpers.Src(imm)), width, None);
            Register result;
            // VEX.128 moves and ops zero bits 255:128 of the host register as of the guest's.
            if (op == W.Op.Move)
            {
                result = NewXmm(first, None);
                E(Instruction.Create(ymm ? Code.VEX_Vmovdqa_ymm_ymmm256 : Code.VEX_Vmovdqa_xmm_xmmm128, Wide(result, ymm), Wide(first, ymm)));
            }
            else if (W.HasImmediate(op))
            {
                result = NewXmm(first, None);
                E(Instruction.Create(ImmediateCode(op, ymm), Wide(result, ymm), Wide(first, ymm), W.Src2(imm)));
            }
            else
            {
                // The second source from its register if one holds it, else from the state.
                int src2Off = CpuState.XmmOffset(W.Src2(imm));
                var second = CachedXmm(src2Off, width);
                if (second == None) FlushXmm(src2Off, width);
                result = NewXmm(first, second);
                E(TwoSources(op, ymm, result, first, second, src2Off));
            }
            HoldVectorResult(result, dstOff, W.IsLegacy(imm));
            HelperReturnedZero(i.Dst);
            return;
        }

        // The XMM registers first: the stub stores the registers dirty when it is created (NewStub), which must be
        // what they hold at each jump to it, the checks' and the access's own fault.
        bool store = op == W.Op.Store;
        var source = op == W.Op.Load ? None : HeldVector(CpuState.XmmOffset(VectorHelpers.Src(imm)), width, None);
        var target = store ? None : NewXmm(source, None);
        // The address in rax; its bytes inside the reservation and, for a store, on no page with translated code.
        int stub = NewStub(k);
        LoadTemp(RAX, i.A);
        RequireInReservation(RAX, 0, width, stub);
        var guest = new MemoryOperand(R8, RAX, 1, 0, 0);
        if (store)
        {
            NoCodeOnPages(RAX, onePage: false, stub);
            RecordFaultSite(stub);
            E(Instruction.Create(ymm ? Code.VEX_Vmovdqu_ymmm256_ymm : Code.VEX_Vmovdqu_xmmm128_xmm, guest, Wide(source, ymm)));
        }
        else
        {
            RecordFaultSite(stub);
            if (op == W.Op.Load) E(Instruction.Create(ymm ? Code.VEX_Vmovdqu_ymm_ymmm256 : Code.VEX_Vmovdqu_xmm_xmmm128, Wide(target, ymm), guest));
            else E(Instruction.Create(HostCode(op, ymm), Wide(target, ymm), Wide(source, ymm), guest));
            HoldVectorResult(target, dstOff, W.IsLegacy(imm));
        }
        HelperReturnedZero(i.Dst);
        ResumeHere(k);
    }

    // result = first op second: the register holding it, or (None) the state at src2Off. ShufPd0..3 are the legacy
    // shufpd (and the unpck/blend forms made of it), 128 bits, with the immediate in the op.
    static Instruction TwoSources(W.Op op, bool ymm, Register result, Register first, Register second, int src2Off)
    {
        var memory = StateOperand(src2Off);
        if (op is >= W.Op.ShufPd0 and <= W.Op.ShufPd3)
        {
            const Code Shufpd = Code.VEX_Vshufpd_xmm_xmm_xmmm128_imm8;
            int shuffle = op - W.Op.ShufPd0;
            return second != None ? Instruction.Create(Shufpd, result, first, second, shuffle) : Instruction.Create(Shufpd, result, first, memory, shuffle);
        }
        var code = HostCode(op, ymm);
        return second != None
            ? Instruction.Create(code, Wide(result, ymm), Wide(first, ymm), Wide(second, ymm))
            : Instruction.Create(code, Wide(result, ymm), Wide(first, ymm), memory);
    }

    // A register holding the `width` bytes of vector state at `offset`: the cached one, or a new one loaded from the state.
    Register HeldVector(int offset, int width, Register keep)
    {
        var held = CachedXmm(offset, width);
        if (held != None) return held;
        held = NewXmm(keep, None);
        LoadXmm(held, offset, width);
        HoldXmm(held, offset, width);
        return held;
    }

    // The result for state[offset], not stored yet (NativeBlockCompiler.XmmCache): the whole host register, whose
    // upper lane a VEX.128 result has zeroed (as the guest's VEX.128 writes do); a legacy-SSE result only its low 16
    // bytes (the guest register's upper lane stays).
    void HoldVectorResult(Register x, int offset, bool legacy = false) => HoldXmm(x, offset, legacy ? 16 : 32, dirty: true);

    static Register Wide(Register xmm, bool ymm) => ymm ? YMM0 + (xmm - XMM0) : xmm;

    static Code HostCode(W.Op op, bool ymm) => op switch
    {
        W.Op.CmpEqB => ymm ? Code.VEX_Vpcmpeqb_ymm_ymm_ymmm256 : Code.VEX_Vpcmpeqb_xmm_xmm_xmmm128,
        W.Op.CmpEqW => ymm ? Code.VEX_Vpcmpeqw_ymm_ymm_ymmm256 : Code.VEX_Vpcmpeqw_xmm_xmm_xmmm128,
        W.Op.CmpEqD => ymm ? Code.VEX_Vpcmpeqd_ymm_ymm_ymmm256 : Code.VEX_Vpcmpeqd_xmm_xmm_xmmm128,
        W.Op.CmpEqQ => ymm ? Code.VEX_Vpcmpeqq_ymm_ymm_ymmm256 : Code.VEX_Vpcmpeqq_xmm_xmm_xmmm128,
        W.Op.CmpGtB => ymm ? Code.VEX_Vpcmpgtb_ymm_ymm_ymmm256 : Code.VEX_Vpcmpgtb_xmm_xmm_xmmm128,
        W.Op.MinUB => ymm ? Code.VEX_Vpminub_ymm_ymm_ymmm256 : Code.VEX_Vpminub_xmm_xmm_xmmm128,
        W.Op.MaxUB => ymm ? Code.VEX_Vpmaxub_ymm_ymm_ymmm256 : Code.VEX_Vpmaxub_xmm_xmm_xmmm128,
        W.Op.And => ymm ? Code.VEX_Vpand_ymm_ymm_ymmm256 : Code.VEX_Vpand_xmm_xmm_xmmm128,
        W.Op.AndN => ymm ? Code.VEX_Vpandn_ymm_ymm_ymmm256 : Code.VEX_Vpandn_xmm_xmm_xmmm128,
        W.Op.Or => ymm ? Code.VEX_Vpor_ymm_ymm_ymmm256 : Code.VEX_Vpor_xmm_xmm_xmmm128,
        W.Op.Xor => ymm ? Code.VEX_Vpxor_ymm_ymm_ymmm256 : Code.VEX_Vpxor_xmm_xmm_xmmm128,
        W.Op.AddB => ymm ? Code.VEX_Vpaddb_ymm_ymm_ymmm256 : Code.VEX_Vpaddb_xmm_xmm_xmmm128,
        W.Op.AddW => ymm ? Code.VEX_Vpaddw_ymm_ymm_ymmm256 : Code.VEX_Vpaddw_xmm_xmm_xmmm128,
        W.Op.AddD => ymm ? Code.VEX_Vpaddd_ymm_ymm_ymmm256 : Code.VEX_Vpaddd_xmm_xmm_xmmm128,
        W.Op.AddQ => ymm ? Code.VEX_Vpaddq_ymm_ymm_ymmm256 : Code.VEX_Vpaddq_xmm_xmm_xmmm128,
        W.Op.SubB => ymm ? Code.VEX_Vpsubb_ymm_ymm_ymmm256 : Code.VEX_Vpsubb_xmm_xmm_xmmm128,
        W.Op.SubW => ymm ? Code.VEX_Vpsubw_ymm_ymm_ymmm256 : Code.VEX_Vpsubw_xmm_xmm_xmmm128,
        W.Op.SubD => ymm ? Code.VEX_Vpsubd_ymm_ymm_ymmm256 : Code.VEX_Vpsubd_xmm_xmm_xmmm128,
        W.Op.SubQ => ymm ? Code.VEX_Vpsubq_ymm_ymm_ymmm256 : Code.VEX_Vpsubq_xmm_xmm_xmmm128,
        W.Op.ShufB => ymm ? Code.VEX_Vpshufb_ymm_ymm_ymmm256 : Code.VEX_Vpshufb_xmm_xmm_xmmm128,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not a two-source op"),
    };

    static Code ImmediateCode(W.Op op, bool ymm) => op switch
    {
        W.Op.SrlW => ymm ? Code.VEX_Vpsrlw_ymm_ymm_imm8 : Code.VEX_Vpsrlw_xmm_xmm_imm8,
        W.Op.SrlD => ymm ? Code.VEX_Vpsrld_ymm_ymm_imm8 : Code.VEX_Vpsrld_xmm_xmm_imm8,
        W.Op.SrlQ => ymm ? Code.VEX_Vpsrlq_ymm_ymm_imm8 : Code.VEX_Vpsrlq_xmm_xmm_imm8,
        W.Op.SllW => ymm ? Code.VEX_Vpsllw_ymm_ymm_imm8 : Code.VEX_Vpsllw_xmm_xmm_imm8,
        W.Op.SllD => ymm ? Code.VEX_Vpslld_ymm_ymm_imm8 : Code.VEX_Vpslld_xmm_xmm_imm8,
        W.Op.SllQ => ymm ? Code.VEX_Vpsllq_ymm_ymm_imm8 : Code.VEX_Vpsllq_xmm_xmm_imm8,
        W.Op.SraW => ymm ? Code.VEX_Vpsraw_ymm_ymm_imm8 : Code.VEX_Vpsraw_xmm_xmm_imm8,
        W.Op.SraD => ymm ? Code.VEX_Vpsrad_ymm_ymm_imm8 : Code.VEX_Vpsrad_xmm_xmm_imm8,
        W.Op.ShufD => ymm ? Code.VEX_Vpshufd_ymm_ymmm256_imm8 : Code.VEX_Vpshufd_xmm_xmmm128_imm8,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not an op with an immediate"),
    };

    // Before op i: a vzeroupper if 256-bit code ran and i may run legacy SSE code or leave (AVX-SSE transitions cost
    // on some hosts); held registers keep their low 16 bytes.
    void UpperClean(in IrInstr i)
    {
        if (!_upperDirty || InlineWholeVector(i) || InlinePopCount(i) || i.Op is IrOp.Nop or IrOp.InsnStart or IrOp.Const or IrOp.Mov
            or IrOp.LoadState or IrOp.StoreState or IrOp.Load or IrOp.Store || (i.Op >= IrOp.Add && i.Op <= IrOp.Select))
            return;
        for (int r = FirstCachedXmm; r < XmmCount; r++)
            if (_xmmWidth[r] > 16 && _xmmDirty[r] && _xmmOffset[r] >= 0) FlushXmm(r);
        E(Instruction.Create(Code.VEX_Vzeroupper));
        for (int r = FirstCachedXmm; r < XmmCount; r++)
            if (_xmmWidth[r] > 16) _xmmWidth[r] = 16;
        _upperDirty = false;
    }
}
