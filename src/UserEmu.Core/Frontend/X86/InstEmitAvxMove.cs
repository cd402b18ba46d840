using Iced.Intel;
using UserEmu.Cpu.X86;
using static Iced.Intel.Mnemonic;
using P = UserEmu.Cpu.X86.AvxPermuteHelpers;

namespace UserEmu.Frontend.X86;

/// <summary>AVX/AVX2 moves: full-register loads and stores, vmovss/vmovsd, vzeroupper/vzeroall, broadcasts and 128-bit inserts/extracts.</summary>
static class InstEmitAvxMove
{
    const int A = VexSlots.A;

    public static void Install(X86EmitterTable t)
    {
        t.Add(e => Move(e, aligned: true), Vmovaps, Vmovapd, Vmovdqa);
        t.Add(e => Move(e, aligned: false), Vmovups, Vmovupd, Vmovdqu);
        t.Add(e => Move(e, aligned: true), Vmovntps, Vmovntpd, Vmovntdq, Vmovntdqa);
        t[Vlddqu] = e => Move(e, aligned: false);
        // Every AVX2 string function ends with one: 32 state stores as integer IR; 16 and the host's vzeroupper in
        // native code (WholeVectorHelpers).
        t[Vzeroupper] = e => e.HelperImm(WholeVectorHelpers.OnRegisters,
            WholeVectorHelpers.Pack(WholeVectorHelpers.Op.ZeroUppers, 0, 0, 0, ymm: true, memory: false));
        t[Vzeroall] = e =>
        {
            ushort zero = e.B.Const(0);
            for (int r = 0; r < 16; r++)
                for (int q = 0; q < 4; q++) e.B.StoreState(CpuState.XmmOffset(r) + q * 8, 8, zero);
        };
        t[Vmovss] = e => ScalarMove(e, 4);
        t[Vmovsd] = e => ScalarMove(e, 8);

        t[Vbroadcastss] = e => Broadcast(e, P.AvxOp.BroadcastD, 4);
        t[Vbroadcastsd] = e => Broadcast(e, P.AvxOp.BroadcastQ, 8);
        t[Vpbroadcastb] = e => Broadcast(e, P.AvxOp.BroadcastB, 1);
        t[Vpbroadcastw] = e => Broadcast(e, P.AvxOp.BroadcastW, 2);
        t[Vpbroadcastd] = e => Broadcast(e, P.AvxOp.BroadcastD, 4);
        t[Vpbroadcastq] = e => Broadcast(e, P.AvxOp.BroadcastQ, 8);
        t.Add(e => Broadcast(e, P.AvxOp.Broadcast128, 16), Vbroadcastf128, Vbroadcasti128);
        t.Add(Insert128, Vinsertf128, Vinserti128);
        t.Add(Extract128, Vextractf128, Vextracti128);
    }

    static bool IsYmm(X86Emitter e, int n) => e.IsReg(n) && e.Insn.GetOpRegister(n).IsYMM();

    /// <summary>
    /// vmov{a,u}p{s,d}, vmovdq{a,u}, vmovnt*, vlddqu in every width and direction: the aligned forms fault (#GP) on a
    /// memory operand not aligned to its size; a 128-bit register destination has bits 255:128 zeroed.
    /// </summary>
    static void Move(X86Emitter e, bool aligned)
    {
        bool ymm = IsYmm(e, 0) || IsYmm(e, 1);
        int bytes = ymm ? 32 : 16;
        if (e.IsMem(0))
        {
            ushort ea = aligned ? e.AlignedTo(e.Ea(), bytes) : e.Ea();
            int src = e.VecReg(1);
            if (ymm) e.StoreYmm(src, ea);
            else e.StoreVec(src, ea, 16);
            return;
        }
        int dst = e.VecReg(0);
        if (e.IsMem(1))
        {
            ushort ea = aligned ? e.AlignedTo(e.Ea(), bytes) : e.Ea();
            if (ymm) e.LoadYmm(dst, ea);
            else { e.LoadVec(dst, ea, 16); e.ZeroUpper(dst); }
            return;
        }
        int s = e.VecReg(1);
        e.CopyVec(dst, s);
        if (ymm) e.CopyState16(CpuState.XmmOffset(dst) + 16, CpuState.XmmOffset(s) + 16);
        else e.ZeroUpper(dst);
    }

    /// <summary>vmovss/vmovsd: a load zeroes the rest of the register, a store writes the element, the register form merges src2's element into src1.</summary>
    static void ScalarMove(X86Emitter e, int size)
    {
        if (e.IsMem(0))
        {
            e.StoreVec(e.VecReg(1), e.Ea(), size);
            return;
        }
        int dst = e.VecReg(0);
        if (e.IsMem(1))
        {
            ushort v = e.B.Load(e.Ea(), size);
            ushort zero = e.B.Const(0);
            for (int q = 0; q < 4; q++) e.B.StoreState(CpuState.XmmOffset(dst) + q * 8, 8, zero);
            e.B.StoreState(CpuState.XmmOffset(dst), size, v);
            return;
        }
        int src1 = e.VecReg(1), src2 = e.VecReg(2);
        ushort elem = e.B.LoadState(CpuState.XmmOffset(src2), size);
        ushort hi = e.GetVec64(src1, 1);
        ushort lo = size == 8 ? elem : e.B.Or(e.B.AndImm(e.GetVec64(src1, 0), unchecked((long)0xFFFF_FFFF_0000_0000)), elem);
        e.SetVec64(dst, 0, lo);
        e.SetVec64(dst, 1, hi);
        e.ZeroUpper(dst);
    }

    /// <summary>Stages the last source operand (register, or <paramref name="bytes"/> of memory in slot A) and returns its index.</summary>
    internal static int Stage(X86Emitter e, int n, int bytes)
    {
        if (e.IsReg(n)) return e.VecReg(n);
        if (bytes == 32) e.LoadYmm(A, e.Ea());
        else e.LoadVec(A, e.Ea(), bytes);
        return A;
    }

    static void Broadcast(X86Emitter e, P.AvxOp op, int bytes)
    {
        int src = Stage(e, 1, bytes);
        e.VecCall(P.Apply, e.VecReg(0), src, 0, P.Extra(0, IsYmm(e, 0), op));
    }

    static void Insert128(X86Emitter e)
    {
        int src = Stage(e, 2, 16);
        e.VecCall(P.Apply, e.VecReg(0), src, (int)e.ImmValue(3), P.Extra(e.VecReg(1), true, P.AvxOp.Insert128));
    }

    static void Extract128(X86Emitter e)
    {
        int src = e.VecReg(1);
        int off = CpuState.XmmOffset(src) + ((int)e.ImmValue(2) & 1) * 16;
        if (e.IsMem(0))
        {
            ushort lo = e.B.LoadState(off, 8), hi = e.B.LoadState(off + 8, 8);
            ushort ea = e.Ea();
            e.ProbeStore(ea, 16);
            e.B.Store(ea, lo, 8);
            e.B.Store(e.B.AddImm(ea, 8), hi, 8);
            return;
        }
        int dst = e.VecReg(0);
        e.CopyState16(CpuState.XmmOffset(dst), off);
        e.ZeroUpper(dst);
    }
}
