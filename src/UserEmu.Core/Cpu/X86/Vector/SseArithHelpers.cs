using System.Runtime.Intrinsics;
using UserEmu.Engine;
using static UserEmu.Cpu.X86.VectorHelpers;

namespace UserEmu.Cpu.X86;

/// <summary>IR helpers for SSE float arithmetic and compares on XMM registers (operands packed by <c>X86Emitter.VecImm</c>).</summary>
/// <remarks>Each builds the result in a local, commits the MXCSR flags (which may raise SIGFPE), and only then writes the register.</remarks>
[IR.VectorStateAndMxcsr]
public static unsafe class SseArithHelpers
{
    /// <summary>Helper "extra" for the lane-wise operations (compares, round): the operation and the shape.</summary>
    public static int Shape(SseArithOp op, bool single, bool scalar) => (int)op | (single ? 0x10 : 0) | (scalar ? 0x20 : 0);

    static void Decode(long imm, out bool single, out int lanes)
    {
        int x = Extra(imm);
        single = (x & 0x10) != 0;
        lanes = (x & 0x20) != 0 ? 1 : single ? 4 : 2;
    }

    /// <summary>haddps/pd (extra bit 0 clear) and hsubps/pd (set); bit 4 = single.</summary>
    public static ulong Horizontal(Vcpu cpu, ulong a, ulong b, long imm)
    {
        bool single = (Extra(imm) & 0x10) != 0;
        var op = (Extra(imm) & 1) != 0 ? SseArithOp.Sub : SseArithOp.Add;
        uint mx = cpu.State->Mxcsr, flags = 0;
        var d = Xmm(cpu, Dst(imm));
        var s = Xmm(cpu, Src(imm));
        var r = d;
        int half = single ? 2 : 1;
        for (int i = 0; i < half; i++)
        {
            SseLanes.Set(ref r, i, single, SseFloat.Arith(op, SseLanes.Get(ref d, 2 * i, single), SseLanes.Get(ref d, 2 * i + 1, single), single, mx, ref flags));
            SseLanes.Set(ref r, half + i, single, SseFloat.Arith(op, SseLanes.Get(ref s, 2 * i, single), SseLanes.Get(ref s, 2 * i + 1, single), single, mx, ref flags));
        }
        Mxcsr.Commit(cpu, flags);
        Xmm(cpu, Dst(imm)) = r;
        return 0;
    }

    /// <summary>addsubps/pd: even lanes subtract, odd lanes add (extra bit 4 = single).</summary>
    public static ulong AddSub(Vcpu cpu, ulong a, ulong b, long imm)
    {
        bool single = (Extra(imm) & 0x10) != 0;
        uint mx = cpu.State->Mxcsr, flags = 0;
        var d = Xmm(cpu, Dst(imm));
        var s = Xmm(cpu, Src(imm));
        int lanes = single ? 4 : 2;
        for (int i = 0; i < lanes; i++)
        {
            var op = (i & 1) == 0 ? SseArithOp.Sub : SseArithOp.Add;
            SseLanes.Set(ref d, i, single, SseFloat.Arith(op, SseLanes.Get(ref d, i, single), SseLanes.Get(ref s, i, single), single, mx, ref flags));
        }
        Mxcsr.Commit(cpu, flags);
        Xmm(cpu, Dst(imm)) = d;
        return 0;
    }

    /// <summary>cmpps/pd/ss/sd and their VEX forms: all-ones lanes where predicate imm8 &amp; 31 holds (the legacy emitters pass imm8 &amp; 7; extra = <see cref="Shape"/> without op).</summary>
    public static ulong Compare(Vcpu cpu, ulong a, ulong b, long imm)
    {
        Decode(imm, out bool single, out int lanes);
        int predicate = Imm8(imm) & 31;
        uint mx = cpu.State->Mxcsr, flags = 0;
        var d = Xmm(cpu, Dst(imm));
        var s = Xmm(cpu, Src(imm));
        ulong ones = single ? 0xFFFF_FFFFUL : ulong.MaxValue;
        for (int i = 0; i < lanes; i++)
        {
            bool t = SseFloat.Compare(predicate, SseLanes.Get(ref d, i, single), SseLanes.Get(ref s, i, single), single, mx, ref flags);
            SseLanes.Set(ref d, i, single, t ? ones : 0);
        }
        Mxcsr.Commit(cpu, flags);
        Xmm(cpu, Dst(imm)) = d;
        return 0;
    }

    /// <summary>comiss/comisd (extra bit 0 set: signaling) and ucomiss/ucomisd: returns ZF/PF/CF for the emitter to store.</summary>
    public static ulong CompareFlags(Vcpu cpu, ulong a, ulong b, long imm)
    {
        bool single = (Extra(imm) & 0x10) != 0;
        bool signaling = (Extra(imm) & 1) != 0;
        uint flags = 0;
        ulong x = SseLanes.Get(ref Xmm(cpu, Dst(imm)), 0, single), y = SseLanes.Get(ref Xmm(cpu, Src(imm)), 0, single);
        ulong f = SseFloat.CompareFlags(x, y, single, signaling, cpu.State->Mxcsr, ref flags);
        Mxcsr.Commit(cpu, flags);
        return f;
    }

    /// <summary>
    /// dpps: products of the lanes selected by imm8[7:4] (others +0), summed, written to the lanes of imm8[3:0].
    /// Each destination lane i sums in its own order, (p[i^1] + p[i]) + (p[i^3] + p[i^2]), which decides the NaN
    /// returned when several products are NaN (measured on AMD Zen; the Intel host agrees, while AMD Zen 5 sums every
    /// lane as the SDM's (p0 + p1) + (p2 + p3)). Flags of the products are committed first (an unmasked exception there
    /// stops the instruction), then those of the sums, where denormal products count as denormal operands.
    /// </summary>
    public static ulong DotSingle(Vcpu cpu, ulong a, ulong b, long imm)
    {
        int sel = Imm8(imm);
        uint mx = cpu.State->Mxcsr, flags = 0;
        var d = Xmm(cpu, Dst(imm));
        var s = Xmm(cpu, Src(imm));
        var p = d;
        for (int i = 0; i < 4; i++) SseLanes.U32(ref p, i) = (uint)Product(ref d, ref s, sel, i, mx, ref flags);
        Mxcsr.Commit(cpu, flags);
        mx = cpu.State->Mxcsr;
        uint sumFlags = 0;
        var r = d;
        for (int i = 0; i < 4; i++)
        {
            // Every lane performs the same operations in another order: the flags of lane 0's order stand for all.
            uint f = 0;
            ulong lo = SseFloat.Arith(SseArithOp.Add, SseLanes.U32(ref p, i ^ 1), SseLanes.U32(ref p, i), true, mx, ref f);
            ulong hi = SseFloat.Arith(SseArithOp.Add, SseLanes.U32(ref p, i ^ 3), SseLanes.U32(ref p, i ^ 2), true, mx, ref f);
            ulong sum = SseFloat.Arith(SseArithOp.Add, lo, hi, true, mx, ref f);
            if (i == 0) sumFlags = f;
            SseLanes.U32(ref r, i) = (sel >> i & 1) != 0 ? (uint)sum : 0;
        }
        Mxcsr.Commit(cpu, sumFlags);
        Xmm(cpu, Dst(imm)) = r;
        return 0;
    }

    static ulong Product(ref Vector128<byte> d, ref Vector128<byte> s, int sel, int i, uint mx, ref uint flags) =>
        (sel >> (4 + i) & 1) != 0 ? SseFloat.Arith(SseArithOp.Mul, SseLanes.U32(ref d, i), SseLanes.U32(ref s, i), true, mx, ref flags) : 0;

    /// <summary>dppd: the same for two doubles (imm8[5:4] select products, imm8[1:0] the destination lanes; lane i adds p[i] + p[1-i]), products committed first.</summary>
    public static ulong DotDouble(Vcpu cpu, ulong a, ulong b, long imm)
    {
        int sel = Imm8(imm);
        uint mx = cpu.State->Mxcsr, flags = 0;
        var d = Xmm(cpu, Dst(imm));
        var s = Xmm(cpu, Src(imm));
        ulong t0 = (sel & 0x10) != 0 ? SseFloat.Arith(SseArithOp.Mul, SseLanes.U64(ref d, 0), SseLanes.U64(ref s, 0), false, mx, ref flags) : 0;
        ulong t1 = (sel & 0x20) != 0 ? SseFloat.Arith(SseArithOp.Mul, SseLanes.U64(ref d, 1), SseLanes.U64(ref s, 1), false, mx, ref flags) : 0;
        Mxcsr.Commit(cpu, flags);
        mx = cpu.State->Mxcsr;
        uint sumFlags = 0, ignored = 0;
        ulong sum0 = SseFloat.Arith(SseArithOp.Add, t0, t1, false, mx, ref sumFlags);
        ulong sum1 = SseFloat.Arith(SseArithOp.Add, t1, t0, false, mx, ref ignored);
        Mxcsr.Commit(cpu, sumFlags);
        SseLanes.U64(ref d, 0) = (sel & 1) != 0 ? sum0 : 0;
        SseLanes.U64(ref d, 1) = (sel & 2) != 0 ? sum1 : 0;
        Xmm(cpu, Dst(imm)) = d;
        return 0;
    }

    /// <summary>rcpps/rcpss (extra bit 0 clear) and rsqrtps/rsqrtss (set); bit 5 = scalar. No MXCSR flags.</summary>
    public static ulong Approx(Vcpu cpu, ulong a, ulong b, long imm)
    {
        bool rsqrt = (Extra(imm) & 1) != 0;
        int lanes = (Extra(imm) & 0x20) != 0 ? 1 : 4;
        var d = Xmm(cpu, Dst(imm));
        var s = Xmm(cpu, Src(imm));
        for (int i = 0; i < lanes; i++)
            SseLanes.U32(ref d, i) = SseFloat.Reciprocal(SseLanes.U32(ref s, i), rsqrt);
        Xmm(cpu, Dst(imm)) = d;
        return 0;
    }
}
