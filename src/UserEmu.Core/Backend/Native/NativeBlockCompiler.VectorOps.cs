using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.Host;
using UserEmu.IR;
using static Iced.Intel.Register;
using AvxOp = UserEmu.Cpu.X86.AvxPermuteHelpers.AvxOp;

namespace UserEmu.Backend.Native;

/// <summary>
/// Vector helpers whose whole work is one host SSE or AVX2 instruction on the destination and source registers
/// (no flags, no MXCSR): native code runs that instruction on the registers in the vCPU state instead of leaving for
/// the helper.
/// </summary>
/// <remarks>
/// pshufb: python3's json_sha handed 1.46M pshufbs (glibc's string code) back to the managed side per run.
/// vpbroadcastb/w/d/q (glibc's AVX2 memchr, strchr and memset): cc1 handed back 1.46M, python3 0.55M.
/// </remarks>
public sealed unsafe partial class NativeBlockCompiler
{
    static readonly ushort s_pshufb = HelperTable.Id(ShuffleHelpers.Pshufb);
    static readonly ushort s_avxPermute = HelperTable.Id(AvxPermuteHelpers.Apply);

    /// <summary>A helper call that is one host instruction on vector registers (<see cref="VectorOp"/>).</summary>
    static bool InlineVectorOp(in IrInstr i) => i.Op == IrOp.Call && (i.Helper == s_pshufb || InlineBroadcast(i));

    // The host has AVX2 wherever a guest broadcast can run natively (the guest sees AVX2 only through our CPUID, which
    // need not match the host's).
    static bool InlineBroadcast(in IrInstr i) => i.Helper == s_avxPermute && HostCpuFeatures.Avx2
        && (AvxOp)(VectorHelpers.Extra(i.Imm) >> 9) is AvxOp.BroadcastB or AvxOp.BroadcastW or AvxOp.BroadcastD or AvxOp.BroadcastQ;

    void VectorOp(in IrInstr i)
    {
        var dst = new MemoryOperand(RDI, CpuState.XmmOffset(VectorHelpers.Dst(i.Imm)));
        var src = new MemoryOperand(RDI, CpuState.XmmOffset(VectorHelpers.Src(i.Imm)));
        if (i.Helper == s_pshufb)
        {
            // Two loads: legacy SSE memory operands must be 16-byte aligned.
            E(Instruction.Create(Code.Movups_xmm_xmmm128, XMM0, dst));
            E(Instruction.Create(Code.Movups_xmm_xmmm128, XMM1, src));
            E(Instruction.Create(Code.Pshufb_xmm_xmmm128, XMM0, XMM1));
            E(Instruction.Create(Code.Movups_xmmm128_xmm, dst, XMM0));
        }
        else
        {
            // The low element of the source, to every element; a 128-bit form zeroes bits 255:128 (VEX.128 does that
            // to ymm0, and all 32 bytes are stored). vzeroupper: no AVX-to-SSE transition for later legacy SSE code.
            int extra = VectorHelpers.Extra(i.Imm);
            bool ymm = (extra & 0x100) != 0;
            var op = (AvxOp)(extra >> 9);
            E(Instruction.Create(op switch
            {
                AvxOp.BroadcastB => ymm ? Code.VEX_Vpbroadcastb_ymm_xmmm8 : Code.VEX_Vpbroadcastb_xmm_xmmm8,
                AvxOp.BroadcastW => ymm ? Code.VEX_Vpbroadcastw_ymm_xmmm16 : Code.VEX_Vpbroadcastw_xmm_xmmm16,
                AvxOp.BroadcastD => ymm ? Code.VEX_Vpbroadcastd_ymm_xmmm32 : Code.VEX_Vpbroadcastd_xmm_xmmm32,
                _ => ymm ? Code.VEX_Vpbroadcastq_ymm_xmmm64 : Code.VEX_Vpbroadcastq_xmm_xmmm64,
            }, ymm ? YMM0 : XMM0, src));
            E(Instruction.Create(Code.VEX_Vmovdqu_ymmm256_ymm, dst, YMM0));
            E(Instruction.Create(Code.VEX_Vzeroupper));
        }
        HelperReturnedZero(i.Dst);
    }
}
