using Iced.Intel;
using UserEmu.Cpu.X86;
using static Iced.Intel.Mnemonic;
using M = UserEmu.Cpu.X86.AvxMemoryHelpers;

namespace UserEmu.Frontend.X86;

/// <summary>AVX/AVX2 masked moves and gathers, through <see cref="AvxMemoryHelpers"/> (element accesses may fault one by one).</summary>
static class InstEmitAvxMemory
{
    public static void Install(X86EmitterTable t)
    {
        t.Add(e => MaskMove(e, 4), Vmaskmovps, Vpmaskmovd);
        t.Add(e => MaskMove(e, 8), Vmaskmovpd, Vpmaskmovq);
        t.Add(e => Gather(e, 4, 4), Vpgatherdd, Vgatherdps);
        t.Add(e => Gather(e, 8, 4), Vpgatherdq, Vgatherdpd);
        t.Add(e => Gather(e, 4, 8), Vpgatherqd, Vgatherqps);
        t.Add(e => Gather(e, 8, 8), Vpgatherqq, Vgatherqpd);
    }

    /// <summary>Load form "dst, mask, mem"; store form "mem, mask, src".</summary>
    static void MaskMove(X86Emitter e, int size)
    {
        bool store = e.IsMem(0);
        int data = e.VecReg(store ? 2 : 0), mask = e.VecReg(1);
        bool ymm = e.Insn.GetOpRegister(1).IsYMM();
        e.VecCall(M.MaskMove, data, mask, 0, M.MaskExtra(size, ymm, store), e.Ea());
    }

    /// <summary>"dst, [base + vindex * scale + disp], mask": the base address is computed here, the elements in the helper.</summary>
    static void Gather(X86Emitter e, int dataSize, int indexSize)
    {
        var insn = e.Insn;
        ushort ea = e.B.Const((long)insn.MemoryDisplacement64);
        if (insn.MemoryBase != Register.None) ea = e.B.Add(ea, e.GetReg(insn.MemoryBase));
        if (insn.MemorySegment == Register.FS) ea = e.B.Add(ea, e.B.LoadState(CpuState.OffFsBase, 8));
        else if (insn.MemorySegment == Register.GS) ea = e.B.Add(ea, e.B.LoadState(CpuState.OffGsBase, 8));
        bool ymm = insn.Op0Register.IsYMM() || insn.MemoryIndex.IsYMM();
        int index = X86Emitter.VecIndex(insn.MemoryIndex);
        e.VecCall(M.Gather, e.VecReg(0), index, insn.MemoryIndexScale, M.GatherExtra(e.VecReg(2), dataSize, indexSize, ymm), ea);
    }
}
