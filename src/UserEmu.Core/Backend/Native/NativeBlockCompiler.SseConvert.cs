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

    // The host's conversion rounds as MXCSR says and raises PE where the guest's does (into the host's MXCSR, which the
    // entry stub hands on to the guest's), so only MXCSR's controls need be the host's (python3 converted 108k integers
    // per run through the helper, each a trip out of native code).
    void FromInteger(in IrInstr i, int k)
    {
        int shape = VectorHelpers.Extra(i.Imm);
        bool single = (shape & 1) != 0, wide = (shape & 2) != 0;
        RequireDefaultMxcsrControls(k);
        LoadTemp(RAX, i.A);
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
        HelperReturnedZero(i.Dst);
    }
}
