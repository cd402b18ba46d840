using UserEmu.Engine;
using static UserEmu.Cpu.X86.VectorHelpers;

namespace UserEmu.Cpu.X86;

/// <summary>FMA3 (vfmadd/vfmsub/vfnmadd/vfnmsub/vfmaddsub/vfmsubadd, 132/213/231, ps/pd/ss/sd) on registers, through <see cref="SseFloat.FusedMulAdd"/>.</summary>
[IR.VectorStateAndMxcsr]
public static unsafe class AvxFmaHelpers
{
    /// <summary>Operand order: which of dst, src2 (vvvv) and src3 (r/m) are the factors and the addend.</summary>
    public enum Order { F132, F213, F231 }

    /// <summary>How the addend's sign alternates: none, or vfmaddsub (even elements subtract) / vfmsubadd (even elements add).</summary>
    public enum Alternate { None, AddSub, SubAdd }

    /// <summary>Packs the extra field of the helper's imm.</summary>
    public static int Pack(int src2, Order order, bool negProduct, bool negAddend, bool single, bool scalar, bool ymm, Alternate alt) =>
        src2 | (int)order << 8 | (negProduct ? 1 << 10 : 0) | (negAddend ? 1 << 11 : 0) | (single ? 1 << 12 : 0)
        | (scalar ? 1 << 13 : 0) | (ymm ? 1 << 14 : 0) | (int)alt << 15;

    static byte* Reg(Vcpu cpu, int index) => (byte*)cpu.State + CpuState.XmmOffset(index);

    /// <summary>imm: VecImm(dst, src3 (a register or staged memory), 0, <see cref="Pack"/>).</summary>
    public static ulong Fma(Vcpu cpu, ulong unusedA, ulong unusedB, long imm)
    {
        int extra = VectorHelpers.Extra(imm);
        byte* d = Reg(cpu, Dst(imm)), s2 = Reg(cpu, extra & 0xff), s3 = Reg(cpu, Src(imm));
        var order = (Order)((extra >> 8) & 3);
        bool negProduct = (extra & 1 << 10) != 0, negAddend = (extra & 1 << 11) != 0;
        bool single = (extra & 1 << 12) != 0, scalar = (extra & 1 << 13) != 0, ymm = (extra & 1 << 14) != 0;
        var alt = (Alternate)((extra >> 15) & 3);
        int size = single ? 4 : 8;
        int n = scalar ? 1 : (ymm ? 32 : 16) / size;
        byte* fa, fb, fc;
        switch (order)
        {
            case Order.F132: fa = d; fb = s3; fc = s2; break;
            case Order.F213: fa = s2; fb = d; fc = s3; break;
            default: fa = s2; fb = s3; fc = d; break;
        }
        byte* r = stackalloc byte[32];
        Buffer.MemoryCopy(d, r, 32, 32);
        uint mx = cpu.State->Mxcsr, flags = 0;
        for (int i = 0; i < n; i++)
        {
            bool negC = alt switch
            {
                Alternate.AddSub => (i & 1) == 0,
                Alternate.SubAdd => (i & 1) != 0,
                _ => negAddend,
            };
            if (single)
                *(uint*)(r + i * 4) = (uint)SseFloat.FusedMulAdd(*(uint*)(fa + i * 4), *(uint*)(fb + i * 4), *(uint*)(fc + i * 4), negProduct, negC, true, mx, ref flags);
            else
                *(ulong*)(r + i * 8) = SseFloat.FusedMulAdd(*(ulong*)(fa + i * 8), *(ulong*)(fb + i * 8), *(ulong*)(fc + i * 8), negProduct, negC, false, mx, ref flags);
        }
        if (flags != 0) Mxcsr.Commit(cpu, flags);
        if (!ymm) new Span<byte>(r + 16, 16).Clear();
        Buffer.MemoryCopy(r, d, 32, 32);
        return 0;
    }
}
