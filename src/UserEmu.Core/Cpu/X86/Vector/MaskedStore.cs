using System.Runtime.Intrinsics;
using UserEmu.Engine;
using UserEmu.Memory;
using static UserEmu.Cpu.X86.PackedLanes;

namespace UserEmu.Cpu.X86;

/// <summary>maskmovdqu: a byte-masked 16-byte store; unselected bytes are not written at all.</summary>
public static class MaskedStore
{
    /// <summary>Checks before writing anything, so a fault leaves memory unchanged.</summary>
    /// <remarks>
    /// Both 8-byte halves are checked whole, high half first, whatever the mask (even all clear), and a fault reports
    /// that half's address (or the start of the page it runs into), as the hosts it was measured on do (the SDM leaves
    /// it open; AMD Zen 5 checks the low half first).
    /// </remarks>
    public static ulong Maskmovdqu(Vcpu c, ulong addr, ulong b, long imm)
    {
        var data = D<byte>(c, imm);
        uint mask = S<byte>(c, imm).ExtractMostSignificantBits();
        var mem = c.Memory;
        for (int half = 1; half >= 0; half--)
        {
            ulong at = addr + (ulong)half * 8;
            if (!mem.FastCheck(at, 8, PageFlags.Write)) mem.Check(at, 8, true);
        }
        for (int i = 0; i < 16; i++)
            if ((mask >> i & 1) != 0) mem.Write8(addr + (ulong)i, data[i]);
        return 0;
    }

    /// <summary>
    /// maskmovq: the low 8 bytes of the destination register where the source's byte has bit 7 set. The whole quadword
    /// is checked for writing even when no byte is selected, as the host CPU (AMD) does.
    /// </summary>
    public static ulong Maskmovq(Vcpu c, ulong addr, ulong b, long imm)
    {
        var data = D<byte>(c, imm);
        uint mask = S<byte>(c, imm).ExtractMostSignificantBits() & 0xff;
        var mem = c.Memory;
        if (!mem.FastCheck(addr, 8, PageFlags.Write)) mem.Check(addr, 8, true);
        for (int i = 0; i < 8; i++)
            if ((mask >> i & 1) != 0) mem.Write8(addr + (ulong)i, data[i]);
        return 0;
    }
}
