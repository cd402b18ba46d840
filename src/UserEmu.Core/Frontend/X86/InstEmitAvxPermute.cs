using Iced.Intel;
using UserEmu.Cpu.X86;
using static Iced.Intel.Mnemonic;
using P = UserEmu.Cpu.X86.AvxPermuteHelpers;

namespace UserEmu.Frontend.X86;

/// <summary>
/// AVX/AVX2 instructions without a lane-wise legacy counterpart: cross-lane permutes, dword blends, variable blends
/// and shifts, 256-bit mask/test forms, and the widening and narrowing conversions whose 256-bit forms split a
/// source across lanes (those run the legacy emitter once per lane on staged halves).
/// </summary>
static class InstEmitAvxPermute
{
    const int T0 = VexSlots.T0, T1 = VexSlots.T1, A = VexSlots.A, B = VexSlots.B;

    public static void Install(X86EmitterTable t)
    {
        t.Add(e => Three(e, P.AvxOp.Perm2x128, 32), Vperm2f128, Vperm2i128);
        t.Add(e => Two(e, P.AvxOp.PermQ, 32), Vpermq, Vpermpd);
        t.Add(e => Three(e, P.AvxOp.PermD, 32), Vpermd, Vpermps);
        t[Vpermilps] = e => { if (e.IsImm(2)) Two(e, P.AvxOp.PermilPsImm, Width(e)); else Three(e, P.AvxOp.PermilPsVar, Width(e)); };
        t[Vpermilpd] = e => { if (e.IsImm(2)) Two(e, P.AvxOp.PermilPdImm, Width(e)); else Three(e, P.AvxOp.PermilPdVar, Width(e)); };
        t[Vpblendd] = e => Three(e, P.AvxOp.BlendD, Width(e));
        t[Vblendvps] = e => Three(e, P.AvxOp.BlendvPs, Width(e), mask: true);
        t[Vblendvpd] = e => Three(e, P.AvxOp.BlendvPd, Width(e), mask: true);
        t[Vpblendvb] = e => Three(e, P.AvxOp.BlendvB, Width(e), mask: true);
        t[Vpsllvd] = e => Three(e, P.AvxOp.SllvD, Width(e));
        t[Vpsllvq] = e => Three(e, P.AvxOp.SllvQ, Width(e));
        t[Vpsrlvd] = e => Three(e, P.AvxOp.SrlvD, Width(e));
        t[Vpsrlvq] = e => Three(e, P.AvxOp.SrlvQ, Width(e));
        t[Vpsravd] = e => Three(e, P.AvxOp.SravD, Width(e));

        YmmOr128(t, Vpmovmskb, e => InstEmitSseIntSwar.SignMask(e, lanes: 4, size: 1));
        YmmOr128(t, Vmovmskps, e => InstEmitSseIntSwar.SignMask(e, lanes: 4, size: 4));
        YmmOr128(t, Vmovmskpd, e => InstEmitSseIntSwar.SignMask(e, lanes: 4, size: 8));
        YmmOr128(t, Vptest, e => Test(e, 1));
        t[Vtestps] = e => Test(e, 4);
        t[Vtestpd] = e => Test(e, 8);
        // vmovddup ymm duplicates the even qwords: vpermilpd with imm 0.
        YmmOr128(t, Vmovddup, e => Two(e, P.AvxOp.PermilPdImm, 32, imm: 0));

        foreach (var m in (Mnemonic[])[Vpmovzxbw, Vpmovzxbd, Vpmovzxbq, Vpmovzxwd, Vpmovzxwq, Vpmovzxdq,
                     Vpmovsxbw, Vpmovsxbd, Vpmovsxbq, Vpmovsxwd, Vpmovsxwq, Vpmovsxdq, Vcvtdq2pd, Vcvtps2pd])
        {
            var mnemonic = m;
            YmmOr128(t, m, e => Widen(e, t, mnemonic), destination: true);
        }
        foreach (var m in (Mnemonic[])[Vcvtpd2ps, Vcvtpd2dq, Vcvttpd2dq])
        {
            var mnemonic = m;
            YmmOr128(t, m, e => Narrow(e, t, mnemonic), destination: false);
        }
    }

    static int Width(X86Emitter e) => e.Insn.GetOpRegister(0).IsYMM() ? 32 : 16;

    /// <summary>Routes the 256-bit form (a YMM operand) to <paramref name="ymm"/> and the rest to the generic VEX lowering.</summary>
    static void YmmOr128(X86EmitterTable t, Mnemonic m, InsnEmitter ymm, bool destination = false)
    {
        InstEmitVexSse.MarkGeneric128(m);
        t[m] = e =>
        {
            bool wide = destination ? e.Insn.GetOpRegister(0).IsYMM() : AnyYmm(e);
            if (wide) ymm(e);
            else InstEmitVexSse.Lower(e, t);
        };
    }

    static bool AnyYmm(X86Emitter e)
    {
        for (int i = 0; i < e.Insn.OpCount; i++)
            if (e.IsReg(i) && e.Insn.GetOpRegister(i).IsYMM()) return true;
        return e.IsMem(e.Insn.OpCount - 1) && e.Insn.MemorySize.GetSize() == 32;
    }

    /// <summary>dst, src1, src2/mem [, imm8 or mask register]: the helper's two-source form.</summary>
    static void Three(X86Emitter e, P.AvxOp op, int width, bool mask = false)
    {
        int src2 = InstEmitAvxMove.Stage(e, 2, width);
        int imm = e.Insn.OpCount > 3 && e.IsImm(3) ? (int)e.ImmValue(3) : 0;
        ushort maskReg = mask ? e.B.Const(e.VecReg(3)) : (ushort)0;
        e.VecCall(P.Apply, e.VecReg(0), src2, imm, P.Extra(e.VecReg(1), width == 32, op), a: maskReg);
    }

    /// <summary>dst, src/mem, imm8: the helper with the source as its second operand.</summary>
    static void Two(X86Emitter e, P.AvxOp op, int width, int? imm = null)
    {
        int src = InstEmitAvxMove.Stage(e, 1, width);
        e.VecCall(P.Apply, e.VecReg(0), src, imm ?? (int)e.ImmValue(2), P.Extra(0, width == 32, op));
    }

    static void Test(X86Emitter e, int size)
    {
        int width = Width(e);
        int src = InstEmitAvxMove.Stage(e, 1, width);
        e.SetEflags(e.VecCall(P.Test, e.VecReg(0), src, size, width == 32 ? 0x100 : 0));
    }

    /// <summary>The legacy code of <paramref name="m"/>'s 128-bit VEX form (pmovzxbw for vpmovzxbw...).</summary>
    static Code Legacy128(Mnemonic m) => VexLegacyForms.Legacy128(m);

    /// <summary>
    /// 256-bit widening (vpmovzx/sx, vcvtdq2pd, vcvtps2pd): the low half of the source feeds the low lane, the
    /// high half the high lane, each through the legacy 128-bit emitter.
    /// </summary>
    static void Widen(X86Emitter e, X86EmitterTable t, Mnemonic m)
    {
        string last = e.Insn.Code.ToString().Split('_')[^1];
        int srcBytes = int.Parse(last[(last.LastIndexOf('m') + 1)..]) / 8;
        int half = srcBytes / 2;
        int src = e.IsReg(1) ? e.VecReg(1) : Stage16(e, srcBytes);
        ushort lo = e.GetVec64(src, 0);
        ushort hiPart = half == 8 ? e.GetVec64(src, 1) : e.B.ShrImm(lo, half * 8);
        e.SetVec64(B, 0, hiPart);
        RunLegacy(e, t, Legacy128(m), T0, src);
        RunLegacy(e, t, Legacy128(m), T1, B);
        int dst = e.VecReg(0);
        e.CopyVec(dst, T0);
        e.CopyState16(CpuState.XmmOffset(dst) + 16, CpuState.XmmOffset(T1));
    }

    /// <summary>256-bit narrowing (vcvtpd2ps, vcvt(t)pd2dq xmm, ymm/m256): each source lane gives 64 bits of the XMM result.</summary>
    static void Narrow(X86Emitter e, X86EmitterTable t, Mnemonic m)
    {
        int lo;
        if (e.IsReg(1))
        {
            lo = e.VecReg(1);
            e.CopyState16(CpuState.XmmOffset(B), CpuState.XmmOffset(lo) + 16);
        }
        else
        {
            e.LoadYmm(A, e.Ea());
            e.CopyState16(CpuState.XmmOffset(B), CpuState.XmmOffset(A) + 16);
            lo = A;
        }
        RunLegacy(e, t, Legacy128(m), T0, lo);
        RunLegacy(e, t, Legacy128(m), T1, B);
        int dst = e.VecReg(0);
        ushort r0 = e.GetVec64(T0, 0), r1 = e.GetVec64(T1, 0);
        e.SetVec64(dst, 0, r0);
        e.SetVec64(dst, 1, r1);
        e.ZeroUpper(dst);
    }

    static int Stage16(X86Emitter e, int bytes)
    {
        e.LoadVec(A, e.Ea(), bytes == 2 ? 2 : bytes);
        return A;
    }

    /// <summary>Runs the legacy emitter of <paramref name="legacy"/> as "op dst, src" on registers or slots.</summary>
    static void RunLegacy(X86Emitter e, X86EmitterTable t, Code legacy, int dst, int src)
    {
        var syn = e.Insn;
        syn.Code = legacy;
        syn.SetOpKind(0, OpKind.Register);
        syn.SetOpRegister(0, X86Emitter.XmmRegister(dst));
        syn.SetOpKind(1, OpKind.Register);
        syn.SetOpRegister(1, X86Emitter.XmmRegister(src));
        e.EmitAs(syn, t[legacy.Mnemonic()] ?? throw new InvalidOperationException($"no emitter for {legacy}"));
    }
}
