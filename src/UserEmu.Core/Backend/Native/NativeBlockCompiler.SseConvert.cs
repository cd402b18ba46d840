using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

// NativeBlockCompiler, continued: cvtsi2ss/cvtsi2sd (SseConvertHelpers.FromInteger) and cvt(t)ss2si/cvt(t)sd2si
// (SseConvertHelpers.ToInteger) as the host's instruction.
public sealed unsafe partial class NativeBlockCompiler
{
    static readonly ushort s_fromInteger = HelperTable.Id(SseConvertHelpers.FromInteger);
    static readonly ushort s_toInteger = HelperTable.Id(SseConvertHelpers.ToInteger);

    /// <summary>A cvtsi2ss/cvtsi2sd that native code performs itself (<see cref="FromInteger"/>).</summary>
    static bool InlineFromInteger(in IrInstr i) => i.Op == IrOp.Call && i.Helper == s_fromInteger;

    /// <summary>A cvt(t)ss2si/cvt(t)sd2si that native code performs itself (<see cref="ToInteger"/>).</summary>
    static bool InlineToInteger(in IrInstr i) => i.Op == IrOp.Call && i.Helper == s_toInteger;

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
        var dst = StateOperand(CpuState.XmmOffset(VectorHelpers.Dst(i.Imm)));
        E(Instruction.Create(single ? Code.Movss_xmmm32_xmm : Code.Movsd_xmmm64_xmm, dst, XMM0));
        HelperReturnedZero(i.Dst);
    }

    // As FromInteger: the host's conversion gives the integer indefinite (and raises IE) where the guest's does, and
    // rounds as MXCSR says (python3 converted 67k floats per run through the helper, each a trip out of native code).
    void ToInteger(in IrInstr i, int k)
    {
        int shape = VectorHelpers.Extra(i.Imm);
        bool single = (shape & 1) != 0, wide = (shape & 2) != 0, truncate = (shape & 4) != 0;
        RequireDefaultMxcsrControls(k);
        var convert = (single, wide, truncate) switch
        {
            (true, true, true) => Code.Cvttss2si_r64_xmmm32,
            (true, true, false) => Code.Cvtss2si_r64_xmmm32,
            (true, false, true) => Code.Cvttss2si_r32_xmmm32,
            (true, false, false) => Code.Cvtss2si_r32_xmmm32,
            (false, true, true) => Code.Cvttsd2si_r64_xmmm64,
            (false, true, false) => Code.Cvtsd2si_r64_xmmm64,
            (false, false, true) => Code.Cvttsd2si_r32_xmmm64,
            (false, false, false) => Code.Cvtsd2si_r32_xmmm64,
        };
        _rax = -1;
        E(Instruction.Create(convert, wide ? RAX : EAX, StateOperand(CpuState.XmmOffset(VectorHelpers.Src(i.Imm)))));
        StoreTemp(i.Dst);
    }
}
