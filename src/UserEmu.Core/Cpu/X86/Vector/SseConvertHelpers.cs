using UserEmu.Engine;
using static UserEmu.Cpu.X86.VectorHelpers;

namespace UserEmu.Cpu.X86;

/// <summary>The register-to-register SSE conversions (cvt*), by kind.</summary>
public enum SseConversion { Ss2Sd, Sd2Ss, Ps2Pd, Pd2Ps, Dq2Ps, Dq2Pd, Ps2Dq, Tps2Dq, Pd2Dq, Tpd2Dq }

/// <summary>IR helpers for SSE conversions between float formats and integers.</summary>
[IR.VectorStateAndMxcsr]
public static unsafe class SseConvertHelpers
{
    /// <summary>XMM-to-XMM conversions (extra = <see cref="SseConversion"/>); the narrowing packed forms zero the upper half.</summary>
    public static ulong Convert(Vcpu cpu, ulong a, ulong b, long imm)
    {
        uint mx = cpu.State->Mxcsr, flags = 0;
        var d = Xmm(cpu, Dst(imm));
        var s = Xmm(cpu, Src(imm));
        switch ((SseConversion)Extra(imm))
        {
            case SseConversion.Ss2Sd:
                SseLanes.U64(ref d, 0) = SseFloat.ConvertFloat(SseLanes.U32(ref s, 0), true, mx, ref flags);
                break;
            case SseConversion.Sd2Ss:
                SseLanes.U32(ref d, 0) = (uint)SseFloat.ConvertFloat(SseLanes.U64(ref s, 0), false, mx, ref flags);
                break;
            case SseConversion.Ps2Pd:
            {
                uint lo = SseLanes.U32(ref s, 0), hi = SseLanes.U32(ref s, 1);
                SseLanes.U64(ref d, 0) = SseFloat.ConvertFloat(lo, true, mx, ref flags);
                SseLanes.U64(ref d, 1) = SseFloat.ConvertFloat(hi, true, mx, ref flags);
                break;
            }
            case SseConversion.Pd2Ps:
                SseLanes.U32(ref d, 0) = (uint)SseFloat.ConvertFloat(SseLanes.U64(ref s, 0), false, mx, ref flags);
                SseLanes.U32(ref d, 1) = (uint)SseFloat.ConvertFloat(SseLanes.U64(ref s, 1), false, mx, ref flags);
                SseLanes.U64(ref d, 1) = 0;
                break;
            case SseConversion.Dq2Ps:
                for (int i = 0; i < 4; i++)
                    SseLanes.U32(ref d, i) = (uint)SseFloat.FromInt((int)SseLanes.U32(ref s, i), true, mx, ref flags);
                break;
            case SseConversion.Dq2Pd:
            {
                int lo = (int)SseLanes.U32(ref s, 0), hi = (int)SseLanes.U32(ref s, 1);
                SseLanes.U64(ref d, 0) = SseFloat.FromInt(lo, false, mx, ref flags);
                SseLanes.U64(ref d, 1) = SseFloat.FromInt(hi, false, mx, ref flags);
                break;
            }
            case SseConversion.Ps2Dq or SseConversion.Tps2Dq:
            {
                bool t = (SseConversion)Extra(imm) == SseConversion.Tps2Dq;
                for (int i = 0; i < 4; i++)
                    SseLanes.U32(ref d, i) = (uint)SseFloat.ToInt(SseLanes.U32(ref s, i), true, false, t, mx, ref flags);
                break;
            }
            default:
            {
                bool t = (SseConversion)Extra(imm) == SseConversion.Tpd2Dq;
                uint lo = (uint)SseFloat.ToInt(SseLanes.U64(ref s, 0), false, false, t, mx, ref flags);
                uint hi = (uint)SseFloat.ToInt(SseLanes.U64(ref s, 1), false, false, t, mx, ref flags);
                SseLanes.U32(ref d, 0) = lo;
                SseLanes.U32(ref d, 1) = hi;
                SseLanes.U64(ref d, 1) = 0;
                break;
            }
        }
        Mxcsr.Commit(cpu, flags);
        Xmm(cpu, Dst(imm)) = d;
        return 0;
    }

    /// <summary>Helper "extra" for the scalar integer conversions: float format, integer width, truncation.</summary>
    public static int IntShape(bool single, bool is64, bool truncate = false) => (single ? 1 : 0) | (is64 ? 2 : 0) | (truncate ? 4 : 0);

    /// <summary>cvtsi2ss/cvtsi2sd: integer <paramref name="a"/> (32 or 64-bit) into the low lane of the destination.</summary>
    public static ulong FromInteger(Vcpu cpu, ulong a, ulong b, long imm)
    {
        int x = Extra(imm);
        bool single = (x & 1) != 0;
        long value = (x & 2) != 0 ? (long)a : (int)a;
        uint flags = 0;
        ulong r = SseFloat.FromInt(value, single, cpu.State->Mxcsr, ref flags);
        Mxcsr.Commit(cpu, flags);
        SseLanes.Set(ref Xmm(cpu, Dst(imm)), 0, single, r);
        return 0;
    }

    /// <summary>cvt(t)ss2si / cvt(t)sd2si: the low lane of the source as an integer, returned for the emitter to write.</summary>
    public static ulong ToInteger(Vcpu cpu, ulong a, ulong b, long imm)
    {
        int x = Extra(imm);
        bool single = (x & 1) != 0;
        uint flags = 0;
        ulong r = SseFloat.ToInt(SseLanes.Get(ref Xmm(cpu, Src(imm)), 0, single), single, (x & 2) != 0, (x & 4) != 0, cpu.State->Mxcsr, ref flags);
        Mxcsr.Commit(cpu, flags);
        return r;
    }

    /// <summary>roundps/pd/ss/sd (extra = <see cref="SseArithHelpers.Shape"/> without op, imm8 = rounding control).</summary>
    public static ulong RoundIntegral(Vcpu cpu, ulong a, ulong b, long imm)
    {
        int x = Extra(imm);
        bool single = (x & 0x10) != 0;
        int lanes = (x & 0x20) != 0 ? 1 : single ? 4 : 2;
        uint mx = cpu.State->Mxcsr, flags = 0;
        var d = Xmm(cpu, Dst(imm));
        var s = Xmm(cpu, Src(imm));
        for (int i = 0; i < lanes; i++)
            SseLanes.Set(ref d, i, single, SseFloat.RoundToIntegral(SseLanes.Get(ref s, i, single), single, Imm8(imm), mx, ref flags));
        Mxcsr.Commit(cpu, flags);
        Xmm(cpu, Dst(imm)) = d;
        return 0;
    }
}
