using System.Runtime.Intrinsics;
using UserEmu.Engine;
using static UserEmu.Cpu.X86.PackedLanes;
using HostClmul = System.Runtime.Intrinsics.X86.Pclmulqdq;

namespace UserEmu.Cpu.X86;

/// <summary>pclmulqdq: carry-less 64x64→128 multiply of the quadwords imm8 selects (bit 0: dst half, bit 4: src half).</summary>
[UserEmu.IR.VectorStateOnly]
public static class ClmulHelpers
{
    /// <summary>False forces the portable loop (tests of the fallback on a PCLMULQDQ-capable host).</summary>
    public static bool UseHost = HostClmul.IsSupported;

    public static ulong Pclmulqdq(Vcpu c, ulong a, ulong b, long imm)
    {
        int sel = VectorHelpers.Imm8(imm);
        ref var d = ref D<ulong>(c, imm);
        var s = S<ulong>(c, imm);
        if (UseHost)
        {
            d = HostClmul.CarrylessMultiply(d, s, (byte)sel);
            return 0;
        }
        ulong x = d[sel & 1], y = s[(sel >> 4) & 1];
        ulong lo = 0, hi = 0;
        for (int i = 0; i < 64; i++)
        {
            if ((y >> i & 1) == 0) continue;
            lo ^= x << i;
            if (i > 0) hi ^= x >> (64 - i);
        }
        d = Vector128.Create(lo, hi);
        return 0;
    }
}
