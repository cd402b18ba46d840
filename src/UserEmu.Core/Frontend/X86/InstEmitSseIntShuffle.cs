using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using static Iced.Intel.Mnemonic;
using H = UserEmu.Cpu.X86.ShuffleHelpers;

namespace UserEmu.Frontend.X86;

/// <summary>Packed integer unpack, pack, shuffle, align, blend and sign/zero-extension (legacy SSE encodings).</summary>
static class InstEmitSseIntShuffle
{
    public static void Install(X86EmitterTable t)
    {
        Unpack(t, Punpcklbw, 1, false); Unpack(t, Punpcklwd, 2, false); Unpack(t, Punpckldq, 4, false); Unpack(t, Punpcklqdq, 8, false);
        Unpack(t, Punpckhbw, 1, true); Unpack(t, Punpckhwd, 2, true); Unpack(t, Punpckhdq, 4, true); Unpack(t, Punpckhqdq, 8, true);
        Bin(t, Packsswb, H.Packsswb); Bin(t, Packssdw, H.Packssdw); Bin(t, Packuswb, H.Packuswb); Bin(t, Packusdw, H.Packusdw);
        t[Pshufd] = InstEmitSseIntSwar.Pshufd;
        t[Palignr] = InstEmitSseIntSwar.Palignr;
        Bin(t, Pshufb, H.Pshufb);
        Bin(t, Pblendw, H.Pblendw); Bin(t, Pblendvb, H.Pblendvb);
        t[Pshuflw] = e => ShuffleHalf(e, 0);
        t[Pshufhw] = e => ShuffleHalf(e, 4);

        Extend(t, Pmovsxbw, 1, 2, true); Extend(t, Pmovsxbd, 1, 4, true); Extend(t, Pmovsxbq, 1, 8, true);
        Extend(t, Pmovsxwd, 2, 4, true); Extend(t, Pmovsxwq, 2, 8, true); Extend(t, Pmovsxdq, 4, 8, true);
        Extend(t, Pmovzxbw, 1, 2, false); Extend(t, Pmovzxbd, 1, 4, false); Extend(t, Pmovzxbq, 1, 8, false);
        Extend(t, Pmovzxwd, 2, 4, false); Extend(t, Pmovzxwq, 2, 8, false); Extend(t, Pmovzxdq, 4, 8, false);
    }

    static void Bin(X86EmitterTable t, Mnemonic m, HelperFn fn) => t[m] = e => InstEmitSseIntArith.Binary(e, fn);

    static void Unpack(X86EmitterTable t, Mnemonic m, int lane, bool high) => t[m] = e => InstEmitSseIntSwar.Unpack(e, lane, high);

    static void ShuffleHalf(X86Emitter e, int firstWord)
    {
        int dst = e.VecReg(0);
        int src = e.VecSourceAligned(1);
        e.VecCall(H.PshufHalfWords, dst, src, (int)e.ImmValue(2), firstWord);
    }

    /// <summary>pmovsx/pmovzx: the memory form reads only the bytes it extends (16 / lane ratio), with no alignment rule.</summary>
    static void Extend(X86EmitterTable t, Mnemonic m, int from, int to, bool signed) => t[m] = e =>
    {
        int dst = e.VecReg(0);
        int src = e.VecSource(1, 16 / to * from);
        e.VecCall(H.Extend, dst, src, 0, H.ExtendKind(from, to, signed));
    };
}
