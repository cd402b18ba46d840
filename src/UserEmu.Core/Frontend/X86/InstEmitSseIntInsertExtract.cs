using Iced.Intel;
using UserEmu.Cpu.X86;
using static Iced.Intel.Mnemonic;

namespace UserEmu.Frontend.X86;

/// <summary>pinsr*/pextr* (one lane between an XMM register and a general register or memory) and maskmovdqu.</summary>
static class InstEmitSseIntInsertExtract
{
    public static void Install(X86EmitterTable t)
    {
        t[Pinsrb] = e => Insert(e, 1);
        t[Pinsrw] = e => Insert(e, 2);
        t[Pinsrd] = e => Insert(e, 4);
        t[Pinsrq] = e => Insert(e, 8);
        t[Pextrb] = e => Extract(e, 1);
        t[Pextrw] = e => Extract(e, 2);
        t[Pextrd] = e => Extract(e, 4);
        t[Pextrq] = e => Extract(e, 8);
        t[Maskmovdqu] = EmitMaskmovdqu;
    }

    /// <summary>Lane index imm8 mod lane count; the memory form reads just the lane's bytes (no alignment rule).</summary>
    static void Insert(X86Emitter e, int size)
    {
        int dst = e.VecReg(0);
        int lane = (int)(e.ImmValue(2) & (ulong)(16 / size - 1));
        ushort v = e.IsMem(1) ? e.B.Load(e.Ea(), size) : e.GetReg(e.Insn.Op1Register);
        e.B.StoreState(CpuState.XmmOffset(dst) + lane * size, size, e.Trunc(v, size));
    }

    /// <summary>A register destination gets the lane zero-extended to the register's full width.</summary>
    static void Extract(X86Emitter e, int size)
    {
        int src = e.VecReg(1);
        int lane = (int)(e.ImmValue(2) & (ulong)(16 / size - 1));
        ushort v = e.B.LoadState(CpuState.XmmOffset(src) + lane * size, size);
        if (e.IsMem(0)) e.B.Store(e.Ea(), v, size);
        else e.SetReg(e.Insn.Op0Register, v);
    }

    /// <summary>maskmovdqu: stores the bytes of operand 1 whose mask byte (operand 2) has bit 7 set, at DS:RDI (or EDI).</summary>
    static void EmitMaskmovdqu(X86Emitter e)
    {
        var b = e.B;
        ushort addr = e.GetGpr(CpuState.RDI, e.Insn.Op0Kind == OpKind.MemorySegEDI ? 4 : 8);
        var seg = e.Insn.MemorySegment;
        if (seg == Register.FS) addr = b.Add(addr, b.LoadState(CpuState.OffFsBase, 8));
        else if (seg == Register.GS) addr = b.Add(addr, b.LoadState(CpuState.OffGsBase, 8));
        e.VecCall(MaskedStore.Maskmovdqu, e.VecReg(1), e.VecReg(2), a: addr);
    }
}
