using Iced.Intel;
using static UserEmu.Tests.Cpu.CpuTestLayout;

namespace UserEmu.Tests.Cpu;

/// <summary>Per-family adjustments of random cases: implicit operands, counts, and values that make the interesting path likely.</summary>
static class IntegerFixups
{
    /// <summary>Shift/rotate counts in CL: small counts (the boundaries) half of the time.</summary>
    public static bool ShiftCount(CaseEditor e)
    {
        for (int n = 1; n < e.Insn.OpCount; n++)
            if (e.Insn.GetOpKind(n) == OpKind.Register && e.Insn.GetOpRegister(n) == Register.CL)
                e.Set(Register.CL, (ulong)(e.Rng.Next(2) == 0 ? e.Rng.Next(0, 70) : e.Rng.Next(256)));
        return true;
    }

    /// <summary>shld/shrd: counts in CL as for shifts (16-bit counts 17-31 included: undefined result and flags, not compared).</summary>
    public static bool DoubleShift(CaseEditor e) => ShiftCount(e);

    /// <summary>div/idiv: mostly a dividend whose quotient fits (high half zero or the sign of the low half), sometimes anything (#DE).</summary>
    public static bool Divide(CaseEditor e)
    {
        if (e.Rng.Next(6) == 0) return true;
        bool signed = e.Insn.Mnemonic == Mnemonic.Idiv;
        int size = e.OpSize(0);
        var (lo, hi) = size switch
        {
            1 => (Register.AL, Register.AH),
            2 => (Register.AX, Register.DX),
            4 => (Register.EAX, Register.EDX),
            _ => (Register.RAX, Register.RDX),
        };
        ulong low = e.Get(lo);
        bool negative = (low >> (size * 8 - 1) & 1) != 0;
        e.Set(hi, signed && negative ? ulong.MaxValue : 0);
        return true;
    }

    /// <summary>bt family with a register offset into memory: offsets within ±1000 bits so the access stays in the window.</summary>
    public static bool BitOffset(CaseEditor e)
    {
        if (e.Insn.Op0Kind == OpKind.Memory && e.Insn.Op1Kind == OpKind.Register)
            e.Set(e.Insn.Op1Register, (ulong)e.Rng.Next(-1000, 1000));
        return true;
    }

    /// <summary>cmpxchg: half of the time the accumulator equals the destination.</summary>
    public static bool Cmpxchg(CaseEditor e)
    {
        if (e.Rng.Next(2) == 0) return true;
        var acc = e.OpSize(0) switch { 1 => Register.AL, 2 => Register.AX, 4 => Register.EAX, _ => Register.RAX };
        e.Set(acc, e.Operand(0));
        return true;
    }

    /// <summary>cmpxchg8b/16b: half of the time EDX:EAX / RDX:RAX equal the memory operand.</summary>
    public static bool CmpxchgWide(CaseEditor e)
    {
        if (e.Rng.Next(2) == 0) return true;
        if (e.Insn.Mnemonic == Mnemonic.Cmpxchg8b)
        {
            ulong m = e.ReadData(e.MemAddress, 8);
            e.Set(Register.EAX, (uint)m);
            e.Set(Register.EDX, m >> 32);
        }
        else
        {
            e.Set(Register.RAX, e.ReadData(e.MemAddress, 8));
            e.Set(Register.RDX, e.ReadData(e.MemAddress + 8, 8));
        }
        return true;
    }

    /// <summary>popf: a random RFLAGS image on the stack, without TF (it would trap) and AC (alignment checks).</summary>
    public static bool Popf(CaseEditor e)
    {
        ulong rsp = e.Get(Register.RSP);
        ulong v = (ulong)e.Rng.NextInt64() & ~(FlagRules.TF | FlagRules.AC);
        e.WriteData(rsp, e.Insn.Mnemonic == Mnemonic.Popf ? 2 : 8, v);
        return true;
    }

    /// <summary>enter/leave: RBP inside the data window (enter copies frame pointers below it, leave pops from it).</summary>
    /// <remarks>
    /// AMD CPUs probe the new stack pointer of enter (a fault when the frame runs off the test's stack window), and
    /// Intel's pseudocode does not; UserEmu does not probe, so frames stay small enough not to tell.
    /// </remarks>
    public static bool FramePointer(CaseEditor e)
    {
        e.Set(Register.RBP, DataBase + 300 + (ulong)e.Rng.Next(600));
        return e.Insn.Mnemonic != Mnemonic.Enter || (e.Insn.GetImmediate(0) & 0xffff) < 0x200;
    }
}
