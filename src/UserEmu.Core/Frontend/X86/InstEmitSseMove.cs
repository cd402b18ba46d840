using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;

namespace UserEmu.Frontend.X86;

/// <summary>SSE data movement and bitwise logic, lowered to 64-bit IR halves (no helper calls).</summary>
static class InstEmitSseMove
{
    public static void Install(X86EmitterTable t)
    {
        t.Add(e => Move128(e, aligned: true), Mnemonic.Movaps, Mnemonic.Movapd, Mnemonic.Movdqa, Mnemonic.Movntps,
            Mnemonic.Movntpd, Mnemonic.Movntdq, Mnemonic.Movntdqa);
        t.Add(e => Move128(e, aligned: false), Mnemonic.Movups, Mnemonic.Movupd, Mnemonic.Movdqu, Mnemonic.Lddqu);
        t[Mnemonic.Movnti] = e => e.Write(0, e.Read(1));
        t.Add(MovdMovq, Mnemonic.Movd, Mnemonic.Movq);
        t[Mnemonic.Movss] = e => MoveScalar(e, 4);
        t[Mnemonic.Movsd] = e => MoveScalar(e, 8);
        t.Add(e => MoveHalf(e, 0), Mnemonic.Movlps, Mnemonic.Movlpd);
        t.Add(e => MoveHalf(e, 1), Mnemonic.Movhps, Mnemonic.Movhpd);
        t[Mnemonic.Movhlps] = e => e.SetVec64(e.VecReg(0), 0, e.GetVec64(e.VecReg(1), 1));
        t[Mnemonic.Movlhps] = e => e.SetVec64(e.VecReg(0), 1, e.GetVec64(e.VecReg(1), 0));
        t[Mnemonic.Movddup] = Movddup;
        t.Add(e => Logic(e, IrOp.Xor, false), Mnemonic.Pxor, Mnemonic.Xorps, Mnemonic.Xorpd);
        t.Add(e => Logic(e, IrOp.Or, false), Mnemonic.Por, Mnemonic.Orps, Mnemonic.Orpd);
        t.Add(e => Logic(e, IrOp.And, false), Mnemonic.Pand, Mnemonic.Andps, Mnemonic.Andpd);
        t.Add(e => Logic(e, IrOp.And, true), Mnemonic.Pandn, Mnemonic.Andnps, Mnemonic.Andnpd);
    }

    /// <summary>Full 128-bit moves between registers and memory; the aligned forms fault on a misaligned address.</summary>
    static void Move128(X86Emitter e, bool aligned)
    {
        if (UserEmu.Host.HostCpuFeatures.Avx2 && e.Insn.Code.Encoding() == EncodingKind.Legacy)
        {
            // One host instruction each in native code (NativeBlockCompiler.WholeVector), where 64-bit halves were six
            // (two loads or extracts, two state stores, a movq and a pinsrq into the XMM cache).
            InstEmitWholeVector.EmitMove(e, aligned, legacy: true);
            return;
        }
        if (e.IsMem(0))
        {
            e.StoreVec(e.VecReg(1), aligned ? e.AlignedEa() : e.Ea(), 16);
            return;
        }
        int dst = e.VecReg(0);
        if (e.IsReg(1))
        {
            e.CopyVec(dst, e.VecReg(1));
            return;
        }
        e.LoadVec(dst, aligned ? e.AlignedEa() : e.Ea(), 16);
    }

    /// <summary>movd/movq between general registers or memory and XMM: a load zeroes the rest of the register.</summary>
    static void MovdMovq(X86Emitter e)
    {
        var b = e.B;
        bool toVec = e.IsReg(0) && e.Insn.Op0Register.IsXMM();
        if (toVec)
        {
            int dst = e.VecReg(0);
            ushort v = e.IsReg(1) && e.Insn.Op1Register.IsXMM()
                ? e.GetVec64(e.VecReg(1), 0)
                : e.Read(1, e.Insn.Code is Code.Movd_xmm_rm32 ? 4 : 8);
            e.SetVec64(dst, 0, v);
            e.SetVec64(dst, 1, b.Const(0));
            return;
        }
        int size = e.Insn.Code is Code.Movd_rm32_xmm ? 4 : 8;
        e.Write(0, b.LoadState(CpuState.XmmOffset(e.VecReg(1)), size), size);
    }

    /// <summary>movss/movsd (SSE): a load from memory zeroes the upper part, a register move keeps it.</summary>
    static void MoveScalar(X86Emitter e, int size)
    {
        var b = e.B;
        if (e.IsMem(0))
        {
            e.StoreVec(e.VecReg(1), e.Ea(), size);
            return;
        }
        int dst = e.VecReg(0);
        if (e.IsReg(1))
        {
            int src = e.VecReg(1);
            if (size == 8) e.SetVec64(dst, 0, e.GetVec64(src, 0));
            else e.SetVec32(dst, e.GetVec32(src));
            return;
        }
        ushort v = b.Load(e.Ea(), size);
        e.SetVec64(dst, 0, v);
        e.SetVec64(dst, 1, b.Const(0));
    }

    /// <summary>movlps/movhps/movlpd/movhpd: one 64-bit half to or from memory, the other half untouched.</summary>
    static void MoveHalf(X86Emitter e, int half)
    {
        if (e.IsMem(0))
            e.B.Store(e.Ea(), e.GetVec64(e.VecReg(1), half), 8);
        else
            e.SetVec64(e.VecReg(0), half, e.B.Load(e.Ea(), 8));
    }

    static void Movddup(X86Emitter e)
    {
        int dst = e.VecReg(0);
        ushort v = e.IsReg(1) ? e.GetVec64(e.VecReg(1), 0) : e.B.Load(e.Ea(), 8);
        e.SetVec64(dst, 0, v);
        e.SetVec64(dst, 1, v);
    }

    /// <summary>Bitwise ops on the two 64-bit halves; <paramref name="invertDst"/> gives the andn forms (NOT dst AND src).</summary>
    static void Logic(X86Emitter e, IrOp op, bool invertDst)
    {
        var b = e.B;
        int dst = e.VecReg(0);
        int src = e.VecSourceAligned(1);
        // xor/andn of a register with itself is the zero idiom.
        if (src == dst && (op == IrOp.Xor || invertDst))
        {
            e.SetVec64(dst, 0, b.Const(0));
            e.SetVec64(dst, 1, b.Const(0));
            return;
        }
        for (int half = 0; half < 2; half++)
        {
            ushort d = e.GetVec64(dst, half);
            if (invertDst) d = b.Unary(IrOp.Not, d);
            e.SetVec64(dst, half, b.Binary(op, d, e.GetVec64(src, half)));
        }
    }
}
