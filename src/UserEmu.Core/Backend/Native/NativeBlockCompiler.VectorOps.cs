using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

/// <summary>
/// Vector helpers whose whole work is one host SSE instruction on the 128-bit destination and source registers
/// (no flags, no MXCSR): native code runs that instruction on the registers in the vCPU state instead of leaving for
/// the helper.
/// </summary>
/// <remarks>
/// pshufb: python3's json_sha handed 1.46M pshufbs (glibc's string code) back to the managed side per run.
/// </remarks>
public sealed unsafe partial class NativeBlockCompiler
{
    static readonly ushort s_pshufb = HelperTable.Id(ShuffleHelpers.Pshufb);

    /// <summary>A helper call that is one host instruction on xmm registers (<see cref="VectorOp"/>).</summary>
    static bool InlineVectorOp(in IrInstr i) => i.Op == IrOp.Call && i.Helper == s_pshufb;

    void VectorOp(in IrInstr i)
    {
        var dst = new MemoryOperand(RDI, CpuState.XmmOffset(VectorHelpers.Dst(i.Imm)));
        // Two loads: legacy SSE memory operands must be 16-byte aligned.
        E(Instruction.Create(Code.Movups_xmm_xmmm128, XMM0, dst));
        E(Instruction.Create(Code.Movups_xmm_xmmm128, XMM1, new MemoryOperand(RDI, CpuState.XmmOffset(VectorHelpers.Src(i.Imm)))));
        E(Instruction.Create(Code.Pshufb_xmm_xmmm128, XMM0, XMM1));
        E(Instruction.Create(Code.Movups_xmmm128_xmm, dst, XMM0));
        E(Instruction.Create(Code.Xor_r32_rm32, EAX, EAX));
        StoreTemp(i.Dst);
    }
}
