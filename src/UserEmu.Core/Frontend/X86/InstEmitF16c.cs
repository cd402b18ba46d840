using Iced.Intel;
using UserEmu.Cpu.X86;

namespace UserEmu.Frontend.X86;

/// <summary>F16C: vcvtph2ps (xmm/ymm from xmm/m64/m128) and vcvtps2ph (xmm/m64/m128 from xmm/ymm, imm8 rounding).</summary>
static class InstEmitF16c
{
    /// <summary>Slot the halves are built in before a memory store.</summary>
    const int Out = VexSlots.B;

    public static void Install(X86EmitterTable t)
    {
        t[Mnemonic.Vcvtph2ps] = e =>
        {
            bool ymm = e.Insn.GetOpRegister(0).IsYMM();
            int src = InstEmitAvxMove.Stage(e, 1, ymm ? 16 : 8);
            e.VecCall(F16cHelpers.HalfToSingle, e.VecReg(0), src, 0, ymm ? 1 : 0);
        };
        t[Mnemonic.Vcvtps2ph] = e =>
        {
            bool ymm = e.Insn.GetOpRegister(1).IsYMM();
            int imm = (int)e.ImmValue(2);
            if (e.IsReg(0))
            {
                e.VecCall(F16cHelpers.SingleToHalf, e.VecReg(0), e.VecReg(1), imm, ymm ? 1 : 0);
                return;
            }
            // The CPU sets the MXCSR flags even when the store then faults: convert, then store from the slot.
            ushort ea = e.Ea();
            e.VecCall(F16cHelpers.SingleToHalf, Out, e.VecReg(1), imm, ymm ? 1 : 0);
            e.StoreVec(Out, ea, ymm ? 16 : 8);
        };
    }
}
