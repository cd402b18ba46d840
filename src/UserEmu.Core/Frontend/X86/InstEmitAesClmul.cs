using Iced.Intel;
using UserEmu.Cpu.X86;
using static Iced.Intel.Mnemonic;

namespace UserEmu.Frontend.X86;

/// <summary>AES-NI rounds and pclmulqdq (legacy encodings; m128 operands must be aligned).</summary>
static class InstEmitAesClmul
{
    public static void Install(X86EmitterTable t)
    {
        t[Aesenc] = e => InstEmitSseIntArith.Binary(e, AesHelpers.Aesenc);
        t[Aesenclast] = e => InstEmitSseIntArith.Binary(e, AesHelpers.Aesenclast);
        t[Aesdec] = e => InstEmitSseIntArith.Binary(e, AesHelpers.Aesdec);
        t[Aesdeclast] = e => InstEmitSseIntArith.Binary(e, AesHelpers.Aesdeclast);
        t[Aesimc] = e => InstEmitSseIntArith.Binary(e, AesHelpers.Aesimc);
        t[Aeskeygenassist] = e => InstEmitSseIntArith.Binary(e, AesHelpers.Aeskeygenassist);
        t[Pclmulqdq] = e => InstEmitSseIntArith.Binary(e, ClmulHelpers.Pclmulqdq);
    }
}
