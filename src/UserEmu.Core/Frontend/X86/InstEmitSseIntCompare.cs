using Iced.Intel;
using UserEmu.Cpu.X86;
using static Iced.Intel.Mnemonic;
using H = UserEmu.Cpu.X86.PackedCompareHelpers;

namespace UserEmu.Frontend.X86;

/// <summary>Packed integer compares, pmovmskb, ptest, phminposuw and mpsadbw (legacy SSE encodings).</summary>
static class InstEmitSseIntCompare
{
    public static void Install(X86EmitterTable t)
    {
        t[Pcmpeqb] = e => InstEmitSseIntArith.Binary(e, H.Pcmpeqb);
        t[Pcmpeqw] = e => InstEmitSseIntArith.Binary(e, H.Pcmpeqw);
        t[Pcmpeqd] = e => InstEmitSseIntArith.Binary(e, H.Pcmpeqd);
        t[Pcmpeqq] = e => InstEmitSseIntArith.Binary(e, H.Pcmpeqq);
        t[Pcmpgtb] = e => InstEmitSseIntArith.Binary(e, H.Pcmpgtb);
        t[Pcmpgtw] = e => InstEmitSseIntArith.Binary(e, H.Pcmpgtw);
        t[Pcmpgtd] = e => InstEmitSseIntArith.Binary(e, H.Pcmpgtd);
        t[Pcmpgtq] = e => InstEmitSseIntArith.Binary(e, H.Pcmpgtq);
        t[Phminposuw] = e => InstEmitSseIntArith.Binary(e, H.Phminposuw);
        t[Mpsadbw] = e => InstEmitSseIntArith.Binary(e, H.Mpsadbw);
        t[Pmovmskb] = e => e.SetReg(e.Insn.Op0Register, e.VecCall(H.Pmovmskb, 0, e.VecReg(1)));
        t[Ptest] = EmitPtest;
    }

    /// <summary>ptest sets ZF and CF and clears AF, OF, PF and SF.</summary>
    static void EmitPtest(X86Emitter e)
    {
        int dst = e.VecReg(0);
        int src = e.VecSourceAligned(1);
        e.SetEflags(e.VecCall(H.Ptest, dst, src));
    }
}
