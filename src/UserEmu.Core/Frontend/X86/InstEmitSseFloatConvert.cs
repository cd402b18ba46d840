using Iced.Intel;
using UserEmu.Cpu.X86;
using static UserEmu.Cpu.X86.SseConvertHelpers;

namespace UserEmu.Frontend.X86;

/// <summary>SSE conversions: between float formats, from and to integers in XMM lanes and general registers.</summary>
static class InstEmitSseFloatConvert
{
    public static void Install(X86EmitterTable t)
    {
        Xmm(t, Mnemonic.Cvtss2sd, SseConversion.Ss2Sd, 4);
        Xmm(t, Mnemonic.Cvtsd2ss, SseConversion.Sd2Ss, 8);
        Xmm(t, Mnemonic.Cvtps2pd, SseConversion.Ps2Pd, 8);
        Xmm(t, Mnemonic.Cvtpd2ps, SseConversion.Pd2Ps, 16);
        Xmm(t, Mnemonic.Cvtdq2ps, SseConversion.Dq2Ps, 16);
        Xmm(t, Mnemonic.Cvtdq2pd, SseConversion.Dq2Pd, 8);
        Xmm(t, Mnemonic.Cvtps2dq, SseConversion.Ps2Dq, 16);
        Xmm(t, Mnemonic.Cvttps2dq, SseConversion.Tps2Dq, 16);
        Xmm(t, Mnemonic.Cvtpd2dq, SseConversion.Pd2Dq, 16);
        Xmm(t, Mnemonic.Cvttpd2dq, SseConversion.Tpd2Dq, 16);
        t[Mnemonic.Cvtsi2ss] = e => FromInteger(e, single: true);
        t[Mnemonic.Cvtsi2sd] = e => FromInteger(e, single: false);
        t[Mnemonic.Cvtss2si] = e => ToInteger(e, single: true, truncate: false);
        t[Mnemonic.Cvttss2si] = e => ToInteger(e, single: true, truncate: true);
        t[Mnemonic.Cvtsd2si] = e => ToInteger(e, single: false, truncate: false);
        t[Mnemonic.Cvttsd2si] = e => ToInteger(e, single: false, truncate: true);
    }

    static void Xmm(X86EmitterTable t, Mnemonic m, SseConversion kind, int sourceBytes) =>
        t[m] = e => InstEmitSseFloatArith.Call(e, Convert, sourceBytes, (int)kind);

    static void FromInteger(X86Emitter e, bool single)
    {
        int size = e.OpSize(1);
        ushort value = e.Read(1, size);
        e.VecCall(SseConvertHelpers.FromInteger, e.VecReg(0), 0, 0, IntShape(single, size == 8), value);
    }

    static void ToInteger(X86Emitter e, bool single, bool truncate)
    {
        int src = e.VecSource(1, single ? 4 : 8);
        var dst = e.Insn.Op0Register;
        ushort v = e.VecCall(SseConvertHelpers.ToInteger, 0, src, 0, IntShape(single, dst.GetSize() == 8, truncate));
        e.SetReg(dst, v);
    }
}
