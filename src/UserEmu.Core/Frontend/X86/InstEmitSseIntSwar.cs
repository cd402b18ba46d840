using UserEmu.IR;

namespace UserEmu.Frontend.X86;

/// <summary>
/// IR lowerings (two 64-bit halves, see <see cref="SwarIr"/>) of the packed integer ops that libc string and memory
/// routines run in their inner loops: no helper call, so compiled regions keep guest state in locals.
/// </summary>
/// <remarks>Every input half is read before the destination is written (dst and src may be the same register).</remarks>
static class InstEmitSseIntSwar
{
    /// <summary>Reads both halves of dst and of src (an XMM register or aligned m128).</summary>
    static (int Dst, ushort D0, ushort D1, ushort S0, ushort S1) Operands(X86Emitter e)
    {
        int dst = e.VecReg(0);
        int src = e.VecSourceAligned(1);
        return (dst, e.GetVec64(dst, 0), e.GetVec64(dst, 1), e.GetVec64(src, 0), e.GetVec64(src, 1));
    }

    static void Set(X86Emitter e, int dst, ushort lo, ushort hi)
    {
        e.SetVec64(dst, 0, lo);
        e.SetVec64(dst, 1, hi);
    }

    public static void Add(X86Emitter e, int lane)
    {
        var (dst, d0, d1, s0, s1) = Operands(e);
        Set(e, dst, SwarIr.Add(e.B, d0, s0, lane), SwarIr.Add(e.B, d1, s1, lane));
    }

    public static void Sub(X86Emitter e, int lane)
    {
        var (dst, d0, d1, s0, s1) = Operands(e);
        Set(e, dst, SwarIr.Sub(e.B, d0, s0, lane), SwarIr.Sub(e.B, d1, s1, lane));
    }

    public static void CompareEqual(X86Emitter e, int lane)
    {
        var (dst, d0, d1, s0, s1) = Operands(e);
        Set(e, dst, SwarIr.Equal(e.B, d0, s0, lane), SwarIr.Equal(e.B, d1, s1, lane));
    }

    public static void CompareGreater(X86Emitter e, int lane)
    {
        var (dst, d0, d1, s0, s1) = Operands(e);
        Set(e, dst, SwarIr.GreaterSigned(e.B, d0, s0, lane), SwarIr.GreaterSigned(e.B, d1, s1, lane));
    }

    /// <summary>pminub / pmaxub.</summary>
    public static void MinMaxUnsignedBytes(X86Emitter e, bool max)
    {
        var b = e.B;
        var (dst, d0, d1, s0, s1) = Operands(e);
        ushort ge0 = SwarIr.GreaterEqualUnsigned(b, d0, s0, 1), ge1 = SwarIr.GreaterEqualUnsigned(b, d1, s1, 1);
        if (max) Set(e, dst, SwarIr.Blend(b, ge0, d0, s0), SwarIr.Blend(b, ge1, d1, s1));
        else Set(e, dst, SwarIr.Blend(b, ge0, s0, d0), SwarIr.Blend(b, ge1, s1, d1));
    }

    /// <summary>pmovmskb r32/r64, xmm: the 16 byte sign bits, zero-extended.</summary>
    public static void Pmovmskb(X86Emitter e) => SignMask(e, lanes: 2, size: 1);

    /// <summary>
    /// (v)pmovmskb, (v)movmskps, (v)movmskpd: the sign bit of each <paramref name="size"/>-byte element of the source's
    /// first <paramref name="lanes"/> 64-bit lanes, as integer IR (bytes: <see cref="SwarIr.ByteSignBits"/>), into the
    /// destination GPR. No helper call: glibc's string functions run these once per 16 or 32 bytes, and a helper made
    /// their blocks leave native code (AVX2 strcmp: a region entered through the dispatcher on every call).
    /// </summary>
    public static void SignMask(X86Emitter e, int lanes, int size)
    {
        var b = e.B;
        int src = e.VecReg(1), perLane = 8 / size;
        ushort mask = 0;
        for (int q = 0; q < lanes; q++)
        {
            ushort lane = e.GetVec64(src, q);
            ushort bits = size switch
            {
                1 => SwarIr.ByteSignBits(b, lane),
                4 => b.Or(b.AndImm(b.ShrImm(lane, 31), 1), b.ShlImm(b.ShrImm(lane, 63), 1)),
                _ => b.ShrImm(lane, 63),
            };
            mask = q == 0 ? bits : b.Or(mask, b.ShlImm(bits, q * perLane));
        }
        e.SetReg(e.Insn.Op0Register, mask);
    }

    /// <summary>pshufd: each destination dword picks a source dword by a 2-bit field of imm8.</summary>
    public static void Pshufd(X86Emitter e)
    {
        var b = e.B;
        int dst = e.VecReg(0);
        int src = e.VecSourceAligned(1);
        int sel = (int)(e.ImmValue(2) & 0xff);
        ushort s0 = e.GetVec64(src, 0), s1 = e.GetVec64(src, 1);
        ushort Dword(int k)
        {
            int j = sel >> (2 * k) & 3;
            ushort half = j < 2 ? s0 : s1;
            return (j & 1) == 0 ? b.ZExt(half, 4) : b.ShrImm(half, 32);
        }
        ushort lo = b.Or(Dword(0), b.ShlImm(Dword(1), 32));
        ushort hi = b.Or(Dword(2), b.ShlImm(Dword(3), 32));
        Set(e, dst, lo, hi);
    }

    /// <summary>punpckl* (<paramref name="high"/> false) / punpckh*: interleave one half of dst with the same half of src.</summary>
    public static void Unpack(X86Emitter e, int lane, bool high)
    {
        var b = e.B;
        var (dst, d0, d1, s0, s1) = Operands(e);
        ushort x = high ? d1 : d0, y = high ? s1 : s0;
        if (lane == 8)
        {
            Set(e, dst, x, y);
            return;
        }
        int bits = lane * 8;
        ushort lo = b.Or(SwarIr.Spread(b, x, lane), b.ShlImm(SwarIr.Spread(b, y, lane), bits));
        ushort hi = b.Or(SwarIr.Spread(b, b.ShrImm(x, 32), lane), b.ShlImm(SwarIr.Spread(b, b.ShrImm(y, 32), lane), bits));
        Set(e, dst, lo, hi);
    }

    /// <summary>psll/psrl by imm8 (w/d/q): lanes shifted as one 64-bit value, then the bits that crossed a lane cleared.</summary>
    public static void ShiftImm(X86Emitter e, int lane, bool left)
    {
        var b = e.B;
        int dst = e.VecReg(0);
        int n = (int)(e.ImmValue(1) & 0xff);
        int bits = lane * 8;
        if (n >= bits)
        {
            Set(e, dst, b.Const(0), b.Const(0));
            return;
        }
        ulong laneMask = (lane == 8 ? ulong.MaxValue : (1UL << bits) - 1);
        ulong keep = left ? laneMask << n & laneMask : laneMask >> n;
        ulong all = 0;
        for (int at = 0; at < 64; at += bits) all |= keep << at;
        for (int half = 0; half < 2; half++)
        {
            ushort v = e.GetVec64(dst, half);
            v = left ? b.ShlImm(v, n) : b.ShrImm(v, n);
            e.SetVec64(dst, half, all == ulong.MaxValue ? v : b.AndImm(v, (long)all));
        }
    }

    /// <summary>pslldq/psrldq: the 128-bit register shifted by imm8 bytes.</summary>
    public static void ByteShift(X86Emitter e, bool left)
    {
        int dst = e.VecReg(0);
        int n = (int)(e.ImmValue(1) & 0xff);
        ushort lo = e.GetVec64(dst, 0), hi = e.GetVec64(dst, 1);
        ushort zero = e.B.Const(0);
        // As a right shift of the 4-quadword value {lo, hi, 0, 0} (psrldq) or {0, 0, lo, hi} read from the top (pslldq).
        if (left)
        {
            var (r1, r0) = Funnel(e.B, [hi, lo, zero, zero], n, towardLow: false);
            Set(e, dst, r0, r1);
        }
        else
        {
            var (r0, r1) = Funnel(e.B, [lo, hi, zero, zero], n, towardLow: true);
            Set(e, dst, r0, r1);
        }
    }

    /// <summary>palignr: the 32-byte value dst:src shifted right by imm8 bytes, the low 16 bytes kept.</summary>
    public static void Palignr(X86Emitter e)
    {
        var (dst, d0, d1, s0, s1) = Operands(e);
        int n = (int)(e.ImmValue(2) & 0xff);
        ushort zero = e.B.Const(0);
        var (r0, r1) = Funnel(e.B, [s0, s1, d0, d1, zero, zero], n, towardLow: true);
        Set(e, dst, r0, r1);
    }

    /// <summary>
    /// Two consecutive quadwords of the little-endian sequence <paramref name="q"/> after shifting it by
    /// <paramref name="n"/> bytes toward q[0] (or, with <paramref name="towardLow"/> false, toward the end of the array
    /// when it lists quadwords from the most significant down). Bytes shifted in are zero.
    /// </summary>
    internal static (ushort, ushort) Funnel(IrBuilder b, ushort[] q, int n, bool towardLow)
    {
        int k = n / 8, r = n % 8;
        ushort At(int i) => i < q.Length ? q[i] : b.Const(0);
        ushort Out(int i)
        {
            if (k + i >= q.Length) return b.Const(0);
            if (r == 0) return At(k + i);
            return towardLow
                ? b.Or(b.ShrImm(At(k + i), 8 * r), b.ShlImm(At(k + i + 1), 64 - 8 * r))
                : b.Or(b.ShlImm(At(k + i), 8 * r), b.ShrImm(At(k + i + 1), 64 - 8 * r));
        }
        return (Out(0), Out(1));
    }
}
