using System.Runtime.Intrinsics;
using UserEmu.Engine;
using static UserEmu.Cpu.X86.PackedLanes;

namespace UserEmu.Cpu.X86;

/// <summary>Packed integer arithmetic of SSE2/SSSE3/SSE4.1 (add, sub, saturate, multiply, average, min/max, abs, sign, horizontal ops).</summary>
/// <remarks>Each helper computes dst = op(dst, src) on the registers packed in imm and returns 0; none allocates or faults.</remarks>
[UserEmu.IR.VectorStateOnly]
public static class PackedIntHelpers
{

    public static ulong Paddsb(Vcpu c, ulong a, ulong b, long imm) { ref var d = ref D<sbyte>(c, imm); d = Vector128.AddSaturate(d, S<sbyte>(c, imm)); return 0; }
    public static ulong Paddsw(Vcpu c, ulong a, ulong b, long imm) { ref var d = ref D<short>(c, imm); d = Vector128.AddSaturate(d, S<short>(c, imm)); return 0; }
    public static ulong Paddusb(Vcpu c, ulong a, ulong b, long imm) { ref var d = ref D<byte>(c, imm); d = Vector128.AddSaturate(d, S<byte>(c, imm)); return 0; }
    public static ulong Paddusw(Vcpu c, ulong a, ulong b, long imm) { ref var d = ref D<ushort>(c, imm); d = Vector128.AddSaturate(d, S<ushort>(c, imm)); return 0; }
    public static ulong Psubsb(Vcpu c, ulong a, ulong b, long imm) { ref var d = ref D<sbyte>(c, imm); d = Vector128.SubtractSaturate(d, S<sbyte>(c, imm)); return 0; }
    public static ulong Psubsw(Vcpu c, ulong a, ulong b, long imm) { ref var d = ref D<short>(c, imm); d = Vector128.SubtractSaturate(d, S<short>(c, imm)); return 0; }
    public static ulong Psubusb(Vcpu c, ulong a, ulong b, long imm) { ref var d = ref D<byte>(c, imm); d = Vector128.SubtractSaturate(d, S<byte>(c, imm)); return 0; }
    public static ulong Psubusw(Vcpu c, ulong a, ulong b, long imm) { ref var d = ref D<ushort>(c, imm); d = Vector128.SubtractSaturate(d, S<ushort>(c, imm)); return 0; }

    public static ulong Pminsb(Vcpu c, ulong a, ulong b, long imm) { ref var d = ref D<sbyte>(c, imm); d = Vector128.Min(d, S<sbyte>(c, imm)); return 0; }
    public static ulong Pmaxsb(Vcpu c, ulong a, ulong b, long imm) { ref var d = ref D<sbyte>(c, imm); d = Vector128.Max(d, S<sbyte>(c, imm)); return 0; }
    public static ulong Pminuw(Vcpu c, ulong a, ulong b, long imm) { ref var d = ref D<ushort>(c, imm); d = Vector128.Min(d, S<ushort>(c, imm)); return 0; }
    public static ulong Pmaxuw(Vcpu c, ulong a, ulong b, long imm) { ref var d = ref D<ushort>(c, imm); d = Vector128.Max(d, S<ushort>(c, imm)); return 0; }
    public static ulong Pminsw(Vcpu c, ulong a, ulong b, long imm) { ref var d = ref D<short>(c, imm); d = Vector128.Min(d, S<short>(c, imm)); return 0; }
    public static ulong Pmaxsw(Vcpu c, ulong a, ulong b, long imm) { ref var d = ref D<short>(c, imm); d = Vector128.Max(d, S<short>(c, imm)); return 0; }
    public static ulong Pminud(Vcpu c, ulong a, ulong b, long imm) { ref var d = ref D<uint>(c, imm); d = Vector128.Min(d, S<uint>(c, imm)); return 0; }
    public static ulong Pmaxud(Vcpu c, ulong a, ulong b, long imm) { ref var d = ref D<uint>(c, imm); d = Vector128.Max(d, S<uint>(c, imm)); return 0; }
    public static ulong Pminsd(Vcpu c, ulong a, ulong b, long imm) { ref var d = ref D<int>(c, imm); d = Vector128.Min(d, S<int>(c, imm)); return 0; }
    public static ulong Pmaxsd(Vcpu c, ulong a, ulong b, long imm) { ref var d = ref D<int>(c, imm); d = Vector128.Max(d, S<int>(c, imm)); return 0; }

    /// <summary>Unsigned rounding average: (x + y + 1) >> 1 without widening.</summary>
    public static ulong Pavgb(Vcpu c, ulong a, ulong b, long imm)
    {
        ref var d = ref D<byte>(c, imm);
        var s = S<byte>(c, imm);
        d = (d | s) - Vector128.ShiftRightLogical(d ^ s, 1);
        return 0;
    }

    public static ulong Pavgw(Vcpu c, ulong a, ulong b, long imm)
    {
        ref var d = ref D<ushort>(c, imm);
        var s = S<ushort>(c, imm);
        d = (d | s) - Vector128.ShiftRightLogical(d ^ s, 1);
        return 0;
    }

    public static ulong Pmullw(Vcpu c, ulong a, ulong b, long imm) { D<short>(c, imm) *= S<short>(c, imm); return 0; }
    public static ulong Pmulld(Vcpu c, ulong a, ulong b, long imm) { D<int>(c, imm) *= S<int>(c, imm); return 0; }

    /// <summary>High 16 bits of the signed 32-bit products.</summary>
    public static ulong Pmulhw(Vcpu c, ulong a, ulong b, long imm)
    {
        ref var d = ref D<short>(c, imm);
        var (dl, dh) = Vector128.Widen(d);
        var (sl, sh) = Vector128.Widen(S<short>(c, imm));
        d = Vector128.Narrow(Vector128.ShiftRightArithmetic(dl * sl, 16), Vector128.ShiftRightArithmetic(dh * sh, 16));
        return 0;
    }

    public static ulong Pmulhuw(Vcpu c, ulong a, ulong b, long imm)
    {
        ref var d = ref D<ushort>(c, imm);
        var (dl, dh) = Vector128.Widen(d);
        var (sl, sh) = Vector128.Widen(S<ushort>(c, imm));
        d = Vector128.Narrow(Vector128.ShiftRightLogical(dl * sl, 16), Vector128.ShiftRightLogical(dh * sh, 16));
        return 0;
    }

    /// <summary>Signed 16-bit products scaled by 2^-15 with rounding: ((x*y >> 14) + 1) >> 1.</summary>
    public static ulong Pmulhrsw(Vcpu c, ulong a, ulong b, long imm)
    {
        ref var d = ref D<short>(c, imm);
        var (dl, dh) = Vector128.Widen(d);
        var (sl, sh) = Vector128.Widen(S<short>(c, imm));
        var one = Vector128<int>.One;
        var lo = Vector128.ShiftRightArithmetic(Vector128.ShiftRightArithmetic(dl * sl, 14) + one, 1);
        var hi = Vector128.ShiftRightArithmetic(Vector128.ShiftRightArithmetic(dh * sh, 14) + one, 1);
        d = Vector128.Narrow(lo, hi);
        return 0;
    }

    /// <summary>Unsigned 32x32→64 products of the even dwords.</summary>
    public static ulong Pmuludq(Vcpu c, ulong a, ulong b, long imm)
    {
        ref var d = ref D<ulong>(c, imm);
        var low = Vector128.Create(0xffff_ffffUL);
        d = (d & low) * (S<ulong>(c, imm) & low);
        return 0;
    }

    /// <summary>Signed 32x32→64 products of the even dwords.</summary>
    public static ulong Pmuldq(Vcpu c, ulong a, ulong b, long imm)
    {
        ref var d = ref D<long>(c, imm);
        var x = Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(d, 32), 32);
        var y = Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(S<long>(c, imm), 32), 32);
        d = x * y;
        return 0;
    }

    /// <summary>Signed word products summed in pairs into dwords (the one overflow case, all four -32768, wraps as on the CPU).</summary>
    public static ulong Pmaddwd(Vcpu c, ulong a, ulong b, long imm)
    {
        var x = D<short>(c, imm);
        var y = S<short>(c, imm);
        Vector128<int> r = default;
        for (int i = 0; i < 4; i++)
            Lane(ref r, i) = unchecked(x[2 * i] * y[2 * i] + x[2 * i + 1] * y[2 * i + 1]);
        D<int>(c, imm) = r;
        return 0;
    }

    /// <summary>Unsigned bytes of dst times signed bytes of src, summed in pairs with signed word saturation.</summary>
    public static ulong Pmaddubsw(Vcpu c, ulong a, ulong b, long imm)
    {
        var x = D<byte>(c, imm);
        var y = S<sbyte>(c, imm);
        Vector128<short> r = default;
        for (int i = 0; i < 8; i++)
            Lane(ref r, i) = SatW(x[2 * i] * y[2 * i] + x[2 * i + 1] * y[2 * i + 1]);
        D<short>(c, imm) = r;
        return 0;
    }

    /// <summary>Sum of absolute byte differences per 64-bit half, in the low word of each half.</summary>
    public static ulong Psadbw(Vcpu c, ulong a, ulong b, long imm)
    {
        var x = D<byte>(c, imm);
        var y = S<byte>(c, imm);
        Vector128<ulong> r = default;
        for (int half = 0; half < 2; half++)
        {
            int sum = 0;
            for (int k = half * 8; k < half * 8 + 8; k++) sum += Math.Abs(x[k] - y[k]);
            Lane(ref r, half) = (ulong)sum;
        }
        D<ulong>(c, imm) = r;
        return 0;
    }

    // pabs* read only the source: dst = |src|, with |MinValue| = MinValue as an unsigned result.
    public static ulong Pabsb(Vcpu c, ulong a, ulong b, long imm) { D<sbyte>(c, imm) = Vector128.Abs(S<sbyte>(c, imm)); return 0; }
    public static ulong Pabsw(Vcpu c, ulong a, ulong b, long imm) { D<short>(c, imm) = Vector128.Abs(S<short>(c, imm)); return 0; }
    public static ulong Pabsd(Vcpu c, ulong a, ulong b, long imm) { D<int>(c, imm) = Vector128.Abs(S<int>(c, imm)); return 0; }

    // psign*: dst negated where src is negative, zeroed where src is zero.
    public static ulong Psignb(Vcpu c, ulong a, ulong b, long imm) { Sign(ref D<sbyte>(c, imm), S<sbyte>(c, imm)); return 0; }
    public static ulong Psignw(Vcpu c, ulong a, ulong b, long imm) { Sign(ref D<short>(c, imm), S<short>(c, imm)); return 0; }
    public static ulong Psignd(Vcpu c, ulong a, ulong b, long imm) { Sign(ref D<int>(c, imm), S<int>(c, imm)); return 0; }

    static void Sign<T>(ref Vector128<T> d, Vector128<T> s)
    {
        var neg = Vector128.LessThan(s, Vector128<T>.Zero);
        var zero = Vector128.Equals(s, Vector128<T>.Zero);
        d = Vector128.AndNot(Vector128.ConditionalSelect(neg, -d, d), zero);
    }

    // Horizontal ops: the low half of the result comes from dst pairs, the high half from src pairs.
    public static ulong Phaddw(Vcpu c, ulong a, ulong b, long imm) => HorizontalW(c, imm, sub: false, saturate: false);
    public static ulong Phaddsw(Vcpu c, ulong a, ulong b, long imm) => HorizontalW(c, imm, sub: false, saturate: true);
    public static ulong Phsubw(Vcpu c, ulong a, ulong b, long imm) => HorizontalW(c, imm, sub: true, saturate: false);
    public static ulong Phsubsw(Vcpu c, ulong a, ulong b, long imm) => HorizontalW(c, imm, sub: true, saturate: true);
    public static ulong Phaddd(Vcpu c, ulong a, ulong b, long imm) => HorizontalD(c, imm, sub: false);
    public static ulong Phsubd(Vcpu c, ulong a, ulong b, long imm) => HorizontalD(c, imm, sub: true);

    static ulong HorizontalW(Vcpu c, long imm, bool sub, bool saturate)
    {
        var x = D<short>(c, imm);
        var y = S<short>(c, imm);
        Vector128<short> r = default;
        for (int i = 0; i < 4; i++)
        {
            int lo = sub ? x[2 * i] - x[2 * i + 1] : x[2 * i] + x[2 * i + 1];
            int hi = sub ? y[2 * i] - y[2 * i + 1] : y[2 * i] + y[2 * i + 1];
            Lane(ref r, i) = saturate ? SatW(lo) : (short)lo;
            Lane(ref r, i + 4) = saturate ? SatW(hi) : (short)hi;
        }
        D<short>(c, imm) = r;
        return 0;
    }

    static ulong HorizontalD(Vcpu c, long imm, bool sub)
    {
        var x = D<int>(c, imm);
        var y = S<int>(c, imm);
        Vector128<int> r = default;
        for (int i = 0; i < 2; i++)
        {
            Lane(ref r, i) = unchecked(sub ? x[2 * i] - x[2 * i + 1] : x[2 * i] + x[2 * i + 1]);
            Lane(ref r, i + 2) = unchecked(sub ? y[2 * i] - y[2 * i + 1] : y[2 * i] + y[2 * i + 1]);
        }
        D<int>(c, imm) = r;
        return 0;
    }

    static short SatW(int v) => (short)Math.Clamp(v, short.MinValue, short.MaxValue);
}
