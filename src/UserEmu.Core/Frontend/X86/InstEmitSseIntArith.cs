using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using static Iced.Intel.Mnemonic;
using H = UserEmu.Cpu.X86.PackedIntHelpers;
using Sh = UserEmu.Cpu.X86.PackedShiftHelpers;

namespace UserEmu.Frontend.X86;

/// <summary>SSE2/SSSE3/SSE4.1 packed integer arithmetic and shifts on XMM registers (legacy encodings).</summary>
static class InstEmitSseIntArith
{
    public static void Install(X86EmitterTable t)
    {
        t[Paddb] = e => InstEmitSseIntSwar.Add(e, 1);
        t[Paddw] = e => InstEmitSseIntSwar.Add(e, 2);
        t[Paddd] = e => InstEmitSseIntSwar.Add(e, 4);
        t[Paddq] = e => InstEmitSseIntSwar.Add(e, 8);
        t[Psubb] = e => InstEmitSseIntSwar.Sub(e, 1);
        t[Psubw] = e => InstEmitSseIntSwar.Sub(e, 2);
        t[Psubd] = e => InstEmitSseIntSwar.Sub(e, 4);
        t[Psubq] = e => InstEmitSseIntSwar.Sub(e, 8);
        Bin(t, Paddsb, H.Paddsb); Bin(t, Paddsw, H.Paddsw); Bin(t, Paddusb, H.Paddusb); Bin(t, Paddusw, H.Paddusw);
        Bin(t, Psubsb, H.Psubsb); Bin(t, Psubsw, H.Psubsw); Bin(t, Psubusb, H.Psubusb); Bin(t, Psubusw, H.Psubusw);
        t[Pminub] = e => InstEmitSseIntSwar.MinMaxUnsignedBytes(e, max: false);
        t[Pmaxub] = e => InstEmitSseIntSwar.MinMaxUnsignedBytes(e, max: true);
        Bin(t, Pminsw, H.Pminsw); Bin(t, Pmaxsw, H.Pmaxsw);
        Bin(t, Pminsb, H.Pminsb); Bin(t, Pmaxsb, H.Pmaxsb); Bin(t, Pminuw, H.Pminuw); Bin(t, Pmaxuw, H.Pmaxuw);
        Bin(t, Pminsd, H.Pminsd); Bin(t, Pmaxsd, H.Pmaxsd); Bin(t, Pminud, H.Pminud); Bin(t, Pmaxud, H.Pmaxud);
        Bin(t, Pavgb, H.Pavgb); Bin(t, Pavgw, H.Pavgw);
        Bin(t, Pmullw, H.Pmullw); Bin(t, Pmulld, H.Pmulld); Bin(t, Pmulhw, H.Pmulhw); Bin(t, Pmulhuw, H.Pmulhuw);
        Bin(t, Pmulhrsw, H.Pmulhrsw); Bin(t, Pmuludq, H.Pmuludq); Bin(t, Pmuldq, H.Pmuldq);
        Bin(t, Pmaddwd, H.Pmaddwd); Bin(t, Pmaddubsw, H.Pmaddubsw); Bin(t, Psadbw, H.Psadbw);
        Bin(t, Pabsb, H.Pabsb); Bin(t, Pabsw, H.Pabsw); Bin(t, Pabsd, H.Pabsd);
        Bin(t, Psignb, H.Psignb); Bin(t, Psignw, H.Psignw); Bin(t, Psignd, H.Psignd);
        Bin(t, Phaddw, H.Phaddw); Bin(t, Phaddd, H.Phaddd); Bin(t, Phaddsw, H.Phaddsw);
        Bin(t, Phsubw, H.Phsubw); Bin(t, Phsubd, H.Phsubd); Bin(t, Phsubsw, H.Phsubsw);

        Shift(t, Psllw, Sh.Psllw, 2, left: true); Shift(t, Pslld, Sh.Pslld, 4, left: true); Shift(t, Psllq, Sh.Psllq, 8, left: true);
        Shift(t, Psrlw, Sh.Psrlw, 2, left: false); Shift(t, Psrld, Sh.Psrld, 4, left: false); Shift(t, Psrlq, Sh.Psrlq, 8, left: false);
        Shift(t, Psraw, Sh.Psraw); Shift(t, Psrad, Sh.Psrad);
        t[Pslldq] = e => InstEmitSseIntSwar.ByteShift(e, left: true);
        t[Psrldq] = e => InstEmitSseIntSwar.ByteShift(e, left: false);
    }

    static void Bin(X86EmitterTable t, Mnemonic m, HelperFn fn) => t[m] = e => Binary(e, fn);

    /// <summary>dst = op(dst, src) with src an XMM register or an aligned m128; the imm8, if any, goes to the helper.</summary>
    public static void Binary(X86Emitter e, HelperFn fn)
    {
        int dst = e.VecReg(0);
        int src = e.VecSourceAligned(1);
        int imm8 = e.Insn.OpCount > 2 && e.IsImm(2) ? (int)e.ImmValue(2) : 0;
        e.VecCall(fn, dst, src, imm8);
    }

    static void Shift(X86EmitterTable t, Mnemonic m, HelperFn fn) => t[m] = e => ShiftBy(e, fn);

    /// <summary>Logical shifts: the imm8 forms in IR, the register-count forms through the helper.</summary>
    static void Shift(X86EmitterTable t, Mnemonic m, HelperFn fn, int lane, bool left) => t[m] = e =>
    {
        if (e.IsImm(1)) InstEmitSseIntSwar.ShiftImm(e, lane, left);
        else ShiftBy(e, fn);
    };

    /// <summary>Shift by imm8 or by the whole low quadword of an XMM register / aligned m128 (counts are not masked).</summary>
    static void ShiftBy(X86Emitter e, HelperFn fn)
    {
        int dst = e.VecReg(0);
        ushort count = e.IsImm(1)
            ? e.B.Const((long)(e.ImmValue(1) & 0xff))
            : e.GetVec64(e.VecSourceAligned(1), 0);
        e.VecCall(fn, dst, 0, a: count);
    }
}
