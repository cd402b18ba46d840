using Iced.Intel;
using static UserEmu.Tests.Cpu.CpuTestLayout;

namespace UserEmu.Tests.Cpu;

/// <summary>Adjustments of random SSE cases: shift counts, string-compare lengths and terminators, maskmovdqu's implicit RDI.</summary>
static unsafe class SseFixups
{
    /// <summary>Byte <paramref name="k"/> of operand <paramref name="n"/> when it is an XMM register or memory.</summary>
    internal static ref byte OperandByte(CaseEditor e, int n, int k)
    {
        if (e.Insn.GetOpKind(n) == OpKind.Memory) return ref e.Data[(int)(e.MemAddress - DataBase) + k];
        // A movable fixed buffer can be indexed by reference without pinning.
        return ref e.Case.Initial.Xmm[(e.Insn.GetOpRegister(n) - Register.XMM0) * 16 + k];
    }

    static void SetOperandQword(CaseEditor e, int n, ulong v)
    {
        for (int k = 0; k < 8; k++) OperandByte(e, n, k) = (byte)(v >> (8 * k));
    }

    /// <summary>psll/psrl/psra by an XMM or m128 count: mostly counts around the lane widths (the full quadword counts).</summary>
    public static bool ShiftCount(CaseEditor e)
    {
        if (e.Insn.OpCount < 2 || e.Insn.Op1Kind == OpKind.Immediate8) return true;
        int pick = e.Rng.Next(4);
        ulong v = pick switch
        {
            0 or 1 => (ulong)e.Rng.Next(0, 70),
            2 => 1UL << e.Rng.Next(8, 64) | (ulong)e.Rng.Next(16),
            _ => e.ReadOperandLow(1),
        };
        SetOperandQword(e, 1, v);
        return true;
    }

    static ulong ReadOperandLow(this CaseEditor e, int n)
    {
        ulong v = 0;
        for (int k = 7; k >= 0; k--) v = v << 8 | OperandByte(e, n, k);
        return v;
    }

    /// <summary>
    /// pcmp[ei]str[im]: lengths in RAX/RDX mostly within ±20 (explicit forms), terminators at random lanes (implicit
    /// forms), and often a piece of operand 2 copied into operand 1 so that "equal ordered" finds substrings.
    /// </summary>
    public static bool StringCompare(CaseEditor e)
    {
        var r = e.Rng;
        bool words = (e.Insn.GetImmediate(2) & 1) != 0;
        int lane = words ? 2 : 1, lanes = 16 / lane;
        if (r.Next(2) == 0)
        {
            int from = r.Next(lanes), len = r.Next(1, lanes - from + 1);
            for (int k = 0; k < len * lane; k++) OperandByte(e, 0, k) = OperandByte(e, 1, from * lane + k);
        }
        for (int n = 0; n < 2; n++)
        {
            if (r.Next(2) != 0) continue;
            int at = r.Next(lanes);
            for (int k = 0; k < lane; k++) OperandByte(e, n, at * lane + k) = 0;
        }
        foreach (var reg in new[] { Register.RAX, Register.RDX })
        {
            ulong v = r.Next(4) switch
            {
                0 or 1 => (ulong)(long)r.Next(-20, 21),
                2 => (ulong)(long)r.Next(0, 17),
                _ => e.Get(reg),
            };
            e.Set(reg, v);
        }
        return true;
    }

    /// <summary>ptest: operand 2 often disjoint from operand 1 (ZF), a subset of it (CF), or zero.</summary>
    public static bool Ptest(CaseEditor e)
    {
        int pick = e.Rng.Next(4);
        for (int k = 0; k < 16; k++)
        {
            byte d = OperandByte(e, 0, k), r = (byte)e.Rng.Next(256);
            ref byte s = ref OperandByte(e, 1, k);
            s = pick switch { 0 => (byte)(~d & r), 1 => (byte)(d & r), 2 => 0, _ => s };
        }
        return true;
    }

    /// <summary>maskmovdqu: RDI inside the data window (any alignment), or straddling the guard page after it.</summary>
    public static bool MaskedStore(CaseEditor e)
    {
        ulong rdi = DataBase + 200 + (ulong)e.Rng.Next(600);
        switch (e.Rng.Next(6))
        {
            case 0:
                rdi = GuardPage - (ulong)e.Rng.Next(1, 16);
                break;
            case 1: // low bytes on a read-only page, high bytes writable
                rdi = DataBase + PageSize - (ulong)e.Rng.Next(1, 16);
                e.Case.PageProt[0] = 1;
                break;
        }
        e.Set(Register.RDI, rdi);
        // When both 8-byte halves would fault, which one is reported depends on the CPU (the SDM and APM leave the order
        // open): UserEmu and the hosts it was measured on report the high half, AMD Zen 5 the low one.
        e.Case.SiAddrChoices = [.. new[] { FirstUnwritable(e.Case, rdi), FirstUnwritable(e.Case, rdi + 8) }.OfType<ulong>()];
        return true;
    }

    /// <summary>The address an 8-byte write at <paramref name="at"/> faults at (its first byte on a page the case cannot write), or null.</summary>
    static ulong? FirstUnwritable(CpuTestCase c, ulong at)
    {
        for (ulong a = at; a < at + 8; a++)
        {
            long page = (long)(a - DataBase) / PageSize;
            if (a < DataBase || page >= DataPages || (c.PageProt[page] & 2) == 0) return a;
        }
        return null;
    }
}
