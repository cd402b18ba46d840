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
        t[Pcmpeqb] = e => InstEmitSseIntSwar.CompareEqual(e, 1);
        t[Pcmpeqw] = e => InstEmitSseIntSwar.CompareEqual(e, 2);
        t[Pcmpeqd] = e => InstEmitSseIntSwar.CompareEqual(e, 4);
        t[Pcmpeqq] = e => InstEmitSseIntSwar.CompareEqual(e, 8);
        t[Pcmpgtb] = e => InstEmitSseIntSwar.CompareGreater(e, 1);
        t[Pcmpgtw] = e => InstEmitSseIntSwar.CompareGreater(e, 2);
        t[Pcmpgtd] = e => InstEmitSseIntSwar.CompareGreater(e, 4);
        t[Pcmpgtq] = e => InstEmitSseIntSwar.CompareGreater(e, 8);
        t[Phminposuw] = e => InstEmitSseIntArith.Binary(e, H.Phminposuw);
        t[Mpsadbw] = e => InstEmitSseIntArith.Binary(e, H.Mpsadbw);
        t[Pmovmskb] = InstEmitSseIntSwar.Pmovmskb;
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
