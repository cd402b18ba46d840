using System.Runtime.Intrinsics;
using UserEmu.Engine;
using UserEmu.Memory;
using static UserEmu.Cpu.X86.PackedLanes;

namespace UserEmu.Cpu.X86;

/// <summary>maskmovdqu: a byte-masked 16-byte store; unselected bytes are not written at all.</summary>
public static class MaskedStore
{
    /// <summary>Checks every selected byte before writing any, so a fault leaves memory unchanged.</summary>
    public static ulong Maskmovdqu(Vcpu c, ulong addr, ulong b, long imm)
    {
        var data = D<byte>(c, imm);
        uint mask = S<byte>(c, imm).ExtractMostSignificantBits();
        var mem = c.Memory;
        for (int i = 0; i < 16; i++)
            if ((mask >> i & 1) != 0 && !mem.FastCheck(addr + (ulong)i, 1, PageFlags.Write)) mem.Check(addr + (ulong)i, 1, true);
        for (int i = 0; i < 16; i++)
            if ((mask >> i & 1) != 0) mem.Write8(addr + (ulong)i, data[i]);
        return 0;
    }
}
