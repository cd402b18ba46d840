using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

// NativeBlockCompiler, continued: cvtsi2ss/cvtsi2sd (SseConvertHelpers.FromInteger) as the host's instruction.
public sealed unsafe partial class NativeBlockCompiler
{
    static readonly ushort s_fromInteger = HelperTable.Id(SseConvertHelpers.FromInteger);

    /// <summary>A cvtsi2ss/cvtsi2sd that native code performs itself (<see cref="FromInteger"/>).</summary>
    static bool InlineFromInteger(in IrInstr i) => i.Op == IrOp.Call && i.Helper == s_fromInteger;

    // An integer that converts exactly (below 2^24 in magnitude for a float, 2^53 for a double; any int32 for a double)
    // involves neither MXCSR's rounding control nor any of its flags, so the host's conversion is the guest's. Others
    // go to the helper (python3 converted 108k integers per run through it, each a trip out of native code).
    void FromInteger(in IrInstr i, int k)
    {
        int shape = VectorHelpers.Extra(i.Imm);
        bool single = (shape & 1) != 0, wide = (shape & 2) != 0;
        int stub = NewStub(k);
        LoadTemp(RAX, i.A);
        if (single || wide)
        {
            // value >> bits is 0 or -1.
            int bits = single ? 24 : 53;
            var (rcx, rax) = wide ? (RCX, RAX) : (ECX, EAX);
            E(Instruction.Create(wide ? Code.Mov_r64_rm64 : Code.Mov_r32_rm32, rcx, rax));
            E(Instruction.Create(wide ? Code.Sar_rm64_imm8 : Code.Sar_rm32_imm8, rcx, bits));
            E(Instruction.Create(wide ? Code.Add_rm64_imm8 : Code.Add_rm32_imm8, rcx, 1));
            E(Instruction.Create(wide ? Code.Cmp_rm64_imm8 : Code.Cmp_rm32_imm8, rcx, 1));
            JumpTo(Code.Ja_rel32_64, stub);
        }
        // A fresh xmm0: the conversion writes only its low lane and would wait on the rest.
        E(Instruction.Create(Code.Xorps_xmm_xmmm128, XMM0, XMM0));
        var convert = (single, wide) switch
        {
            (true, true) => Code.Cvtsi2ss_xmm_rm64,
            (true, false) => Code.Cvtsi2ss_xmm_rm32,
            (false, true) => Code.Cvtsi2sd_xmm_rm64,
            _ => Code.Cvtsi2sd_xmm_rm32,
        };
        E(Instruction.Create(convert, XMM0, wide ? RAX : EAX));
        // The low lane only, as the helper writes it.
        var dst = new MemoryOperand(RDI, CpuState.XmmOffset(VectorHelpers.Dst(i.Imm)));
        E(Instruction.Create(single ? Code.Movss_xmmm32_xmm : Code.Movsd_xmmm64_xmm, dst, XMM0));
        E(Instruction.Create(Code.Xor_r32_rm32, EAX, EAX));
        StoreTemp(i.Dst);
        ResumeHere(k);
    }
}
