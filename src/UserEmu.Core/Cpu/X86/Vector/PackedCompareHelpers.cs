using System.Runtime.Intrinsics;
using UserEmu.Engine;
using static UserEmu.Cpu.X86.PackedLanes;

namespace UserEmu.Cpu.X86;

/// <summary>ptest, phminposuw and mpsadbw (the packed compares and pmovmskb are lowered to IR).</summary>
[UserEmu.IR.VectorStateOnly]
public static class PackedCompareHelpers
{
    /// <summary>ptest: ZF = (dst AND src) == 0, CF = (NOT dst AND src) == 0, the other flags clear; returns RFLAGS bits.</summary>
    public static ulong Ptest(Vcpu c, ulong a, ulong b, long imm)
    {
        var d = D<ulong>(c, imm);
        var s = S<ulong>(c, imm);
        ulong zf = (d & s) == Vector128<ulong>.Zero ? 0x40UL : 0;
        ulong cf = Vector128.AndNot(s, d) == Vector128<ulong>.Zero ? 1UL : 0;
        return zf | cf;
    }

    /// <summary>phminposuw: the smallest unsigned word of src and its (lowest) index, the rest of dst zeroed.</summary>
    public static ulong Phminposuw(Vcpu c, ulong a, ulong b, long imm)
    {
        var s = S<ushort>(c, imm);
        int best = 0;
        for (int i = 1; i < 8; i++)
            if (s[i] < s[best]) best = i;
        D<ulong>(c, imm) = Vector128.Create((ulong)s[best] | (ulong)best << 16, 0);
        return 0;
    }

    /// <summary>mpsadbw: eight sums of absolute differences of a 4-byte src block against sliding 4-byte windows of dst.</summary>
    public static ulong Mpsadbw(Vcpu c, ulong a, ulong b, long imm)
    {
        var x = D<byte>(c, imm);
        var y = S<byte>(c, imm);
        int sel = VectorHelpers.Imm8(imm);
        int srcOff = (sel & 3) * 4, dstOff = ((sel >> 2) & 1) * 4;
        Vector128<ushort> r = default;
        for (int i = 0; i < 8; i++)
        {
            int sum = 0;
            for (int j = 0; j < 4; j++) sum += Math.Abs(x[dstOff + i + j] - y[srcOff + j]);
            Lane(ref r, i) = (ushort)sum;
        }
        D<ushort>(c, imm) = r;
        return 0;
    }
}
