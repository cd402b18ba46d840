using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using static Iced.Intel.Mnemonic;
using H = UserEmu.Cpu.X86.PackedIntHelpers;
using Sh = UserEmu.Cpu.X86.PackedShiftHelpers;
using Sf = UserEmu.Cpu.X86.ShuffleHelpers;

namespace UserEmu.Frontend.X86;

/// <summary>MMX instructions (MMX, the MMX forms of SSE/SSE2/SSSE3 integer ops, and the cvt*pi* conversions).</summary>
/// <remarks>
/// MMX forms share their mnemonics with the SSE forms, so <see cref="Install"/> wraps every mnemonic that has an MMX
/// form: forms with an MMX operand come here, the others go to the emitter registered before (or SIGILL).
/// Lane arithmetic is not repeated here: simple lanes are <see cref="SwarIr"/> on the 64-bit value, the rest stage the
/// value into the vector scratch slots and call the SSE helper, whose lanes work alike (the low 64 bits of a
/// 128-bit result depend only on the low 64 bits of the inputs, or the inputs are arranged so that they do).
/// Each emitter: <see cref="X86Emitter.MmxEnter"/>, memory loads and register reads, then the transition and the writes
/// (stores split the transition around their access, see <see cref="X86Emitter.MmxTopZero"/>).
/// </remarks>
static class InstEmitMmx
{
    const int S0 = CpuState.VecScratch0, S1 = CpuState.VecScratch0 + 1;

    /// <summary>Forms (by <see cref="Code"/>) with an MMX register operand, or an operand that may be one.</summary>
    static readonly bool[] MmxForm = BuildMmxForms();

    public static void Install(X86EmitterTable t)
    {
        // The MMX forms' emitters by mnemonic (a table of their own: no JIT-compiled Dictionary at start-up).
        var mmx = new X86EmitterTable();
        mmx[Movd] = e => Move(e, 4);
        mmx[Movq] = e => Move(e, 8);
        mmx[Movntq] = e => Move(e, 8);
        mmx[Movq2dq] = EmitMovq2dq;
        mmx[Movdq2q] = EmitMovdq2q;

        Swar(mmx, Paddb, (b, x, y) => SwarIr.Add(b, x, y, 1)); Swar(mmx, Paddw, (b, x, y) => SwarIr.Add(b, x, y, 2));
        Swar(mmx, Paddd, (b, x, y) => SwarIr.Add(b, x, y, 4)); Swar(mmx, Paddq, (b, x, y) => SwarIr.Add(b, x, y, 8));
        Swar(mmx, Psubb, (b, x, y) => SwarIr.Sub(b, x, y, 1)); Swar(mmx, Psubw, (b, x, y) => SwarIr.Sub(b, x, y, 2));
        Swar(mmx, Psubd, (b, x, y) => SwarIr.Sub(b, x, y, 4)); Swar(mmx, Psubq, (b, x, y) => SwarIr.Sub(b, x, y, 8));
        Swar(mmx, Pcmpeqb, (b, x, y) => SwarIr.Equal(b, x, y, 1)); Swar(mmx, Pcmpeqw, (b, x, y) => SwarIr.Equal(b, x, y, 2));
        Swar(mmx, Pcmpeqd, (b, x, y) => SwarIr.Equal(b, x, y, 4));
        Swar(mmx, Pcmpgtb, (b, x, y) => SwarIr.GreaterSigned(b, x, y, 1)); Swar(mmx, Pcmpgtw, (b, x, y) => SwarIr.GreaterSigned(b, x, y, 2));
        Swar(mmx, Pcmpgtd, (b, x, y) => SwarIr.GreaterSigned(b, x, y, 4));
        Swar(mmx, Pand, (b, x, y) => b.And(x, y)); Swar(mmx, Por, (b, x, y) => b.Or(x, y)); Swar(mmx, Pxor, (b, x, y) => b.Xor(x, y));
        Swar(mmx, Pandn, (b, x, y) => b.And(b.Unary(IrOp.Not, x), y));
        Swar(mmx, Pminub, (b, x, y) => SwarIr.Blend(b, SwarIr.GreaterEqualUnsigned(b, x, y, 1), y, x));
        Swar(mmx, Pmaxub, (b, x, y) => SwarIr.Blend(b, SwarIr.GreaterEqualUnsigned(b, x, y, 1), x, y));

        foreach (var (m, fn) in new (Mnemonic, HelperFn)[]
        {
            (Paddsb, H.Paddsb), (Paddsw, H.Paddsw), (Paddusb, H.Paddusb), (Paddusw, H.Paddusw),
            (Psubsb, H.Psubsb), (Psubsw, H.Psubsw), (Psubusb, H.Psubusb), (Psubusw, H.Psubusw),
            (Pminsw, H.Pminsw), (Pmaxsw, H.Pmaxsw), (Pavgb, H.Pavgb), (Pavgw, H.Pavgw),
            (Pmullw, H.Pmullw), (Pmulhw, H.Pmulhw), (Pmulhuw, H.Pmulhuw), (Pmuludq, H.Pmuludq), (Pmaddwd, H.Pmaddwd),
            (Psadbw, H.Psadbw), (Pmaddubsw, H.Pmaddubsw), (Pmulhrsw, H.Pmulhrsw),
            (Pabsb, H.Pabsb), (Pabsw, H.Pabsw), (Pabsd, H.Pabsd), (Psignb, H.Psignb), (Psignw, H.Psignw), (Psignd, H.Psignd),
        })
            mmx[m] = e => Staged(e, fn);
        foreach (var (m, fn) in new (Mnemonic, HelperFn)[]
        {
            (Packsswb, Sf.Packsswb), (Packssdw, Sf.Packssdw), (Packuswb, Sf.Packuswb),
            (Phaddw, H.Phaddw), (Phaddd, H.Phaddd), (Phaddsw, H.Phaddsw), (Phsubw, H.Phsubw), (Phsubd, H.Phsubd), (Phsubsw, H.Phsubsw),
        })
            mmx[m] = e => Paired(e, fn);
        mmx[Pshufb] = EmitPshufb;
        mmx[Palignr] = EmitPalignr;

        foreach (var (m, fn) in new (Mnemonic, HelperFn)[]
        {
            (Psllw, Sh.Psllw), (Pslld, Sh.Pslld), (Psllq, Sh.Psllq), (Psrlw, Sh.Psrlw), (Psrld, Sh.Psrld), (Psrlq, Sh.Psrlq),
            (Psraw, Sh.Psraw), (Psrad, Sh.Psrad),
        })
            mmx[m] = e => Shift(e, fn);

        mmx[Punpcklbw] = e => Unpack(e, 1, false); mmx[Punpcklwd] = e => Unpack(e, 2, false); mmx[Punpckldq] = e => Unpack(e, 4, false);
        mmx[Punpckhbw] = e => Unpack(e, 1, true); mmx[Punpckhwd] = e => Unpack(e, 2, true); mmx[Punpckhdq] = e => Unpack(e, 4, true);
        mmx[Pmovmskb] = EmitPmovmskb;
        mmx[Pshufw] = EmitPshufw;
        mmx[Pinsrw] = EmitPinsrw;
        mmx[Pextrw] = EmitPextrw;
        mmx[Maskmovq] = EmitMaskmovq;

        mmx[Cvtpi2ps] = e => FromIntegers(e, SseConversion.Dq2Ps);
        mmx[Cvtpi2pd] = e => FromIntegers(e, SseConversion.Dq2Pd);
        mmx[Cvtps2pi] = e => ToIntegers(e, SseConversion.Ps2Dq);
        mmx[Cvttps2pi] = e => ToIntegers(e, SseConversion.Tps2Dq);
        mmx[Cvtpd2pi] = e => ToIntegers(e, SseConversion.Pd2Dq);
        mmx[Cvttpd2pi] = e => ToIntegers(e, SseConversion.Tpd2Dq);

        t[Emms] = e =>
        {
            e.MmxEnter();
            e.MmxEmpty();
        };

        var routed = new bool[IcedCodeNames.MnemonicCount];
        foreach (var code in IcedCodeNames.All)
        {
            var m = code.Mnemonic();
            if (!MmxForm[(int)code] || routed[(int)m]) continue;
            routed[(int)m] = true;
            Route(t, m, mmx[m]);
        }
    }

    /// <summary>MMX forms of <paramref name="m"/> go to <paramref name="mmx"/> (SIGILL if null); other forms to the emitter already registered.</summary>
    static void Route(X86EmitterTable t, Mnemonic m, InsnEmitter? mmx)
    {
        var other = t[m];
        t[m] = e =>
        {
            if (MmxForm[(int)e.Insn.Code]) (mmx ?? Unsupported)(e);
            else if (other != null) other(e);
            else e.Unsupported();
        };
    }

    static void Unsupported(X86Emitter e) => e.Unsupported();

    /// <summary>
    /// Codes with an MMX register operand, from Iced's code names (operand tokens mm, mmm32, mmm64), listed at build time
    /// (<see cref="IcedCodeNames.MmxFormCodes"/>): asking Iced for every code's OpCodeInfo instead builds its whole
    /// opcode table, ~40 ms of start-up, and scanning the names took ~0.75 ms. A test checks both agree.
    /// </summary>
    internal static bool[] BuildMmxForms()
    {
        var forms = new bool[IcedCodeNames.CodeCount];
        foreach (ushort code in IcedCodeNames.MmxFormCodes) forms[code] = true;
        return forms;
    }

    /// <summary>movd/movq/movntq between an MMX register and a general register, memory or another MMX register.</summary>
    static void Move(X86Emitter e, int size)
    {
        e.MmxEnter();
        if (e.IsMm(0))
        {
            ushort v = e.IsMm(1) ? e.GetMm(e.MmReg(1)) : e.Read(1, size);
            e.MmxCommit();
            e.SetMm(e.MmReg(0), v);
            return;
        }
        ushort x = e.GetMm(e.MmReg(1));
        if (e.IsMem(0))
        {
            e.MmxTopZero();
            e.B.Store(e.Ea(), x, size);
            e.MmxTagsValid();
        }
        else
        {
            e.MmxCommit();
            e.SetReg(e.Insn.Op0Register, x);
        }
    }

    /// <summary>movq2dq xmm, mm: the upper quadword of the XMM register is zeroed.</summary>
    static void EmitMovq2dq(X86Emitter e)
    {
        e.MmxEnter();
        ushort v = e.GetMm(e.MmReg(1));
        e.MmxCommit();
        int dst = e.VecReg(0);
        e.SetVec64(dst, 0, v);
        e.SetVec64(dst, 1, e.B.Const(0));
    }

    static void EmitMovdq2q(X86Emitter e)
    {
        e.MmxEnter();
        ushort v = e.GetVec64(e.VecReg(1), 0);
        e.MmxCommit();
        e.SetMm(e.MmReg(0), v);
    }

    static void Swar(X86EmitterTable mmx, Mnemonic m, Func<IrBuilder, ushort, ushort, ushort> op) => mmx[m] = e =>
    {
        e.MmxEnter();
        int dst = e.MmReg(0);
        ushort s = e.MmSource(1);
        ushort r = op(e.B, e.GetMm(dst), s);
        e.MmxCommit();
        e.SetMm(dst, r);
    };

    /// <summary>Writes the low quadword of scratch slot <paramref name="slot"/> to the destination MMX register, with the transition.</summary>
    static void Finish(X86Emitter e, int slot)
    {
        ushort r = e.GetVec64(slot, 0);
        e.MmxCommit();
        e.SetMm(e.MmReg(0), r);
    }

    /// <summary>Lane-wise ops: dst in scratch 0, src in scratch 1 (upper halves are don't-care), then the SSE helper.</summary>
    static void Staged(X86Emitter e, HelperFn fn)
    {
        e.MmxEnter();
        ushort s = e.MmSource(1);
        e.SetVec64(S0, 0, e.GetMm(e.MmReg(0)));
        e.SetVec64(S1, 0, s);
        e.VecCall(fn, S0, S1);
        Finish(e, S0);
    }

    /// <summary>
    /// Packs and horizontal ops: the 128-bit form makes its low half from dst and its high half from src, so with
    /// dst:src as one register (both operands) the low 64 bits are the MMX result.
    /// </summary>
    static void Paired(X86Emitter e, HelperFn fn)
    {
        e.MmxEnter();
        ushort s = e.MmSource(1);
        e.SetVec64(S0, 0, e.GetMm(e.MmReg(0)));
        e.SetVec64(S0, 1, s);
        e.VecCall(fn, S0, S0);
        Finish(e, S0);
    }

    /// <summary>pshufb mm: index bits 0..2 select a byte of dst; with dst in both halves, the 4-bit SSE index does the same.</summary>
    static void EmitPshufb(X86Emitter e)
    {
        e.MmxEnter();
        ushort s = e.MmSource(1);
        ushort d = e.GetMm(e.MmReg(0));
        e.SetVec64(S0, 0, d);
        e.SetVec64(S0, 1, d);
        e.SetVec64(S1, 0, s);
        e.SetVec64(S1, 1, e.B.Const(0));
        e.VecCall(Sf.Pshufb, S0, S1);
        Finish(e, S0);
    }

    /// <summary>palignr mm: the 16-byte value dst:src shifted right by imm8 bytes, low 8 kept.</summary>
    static void EmitPalignr(X86Emitter e)
    {
        e.MmxEnter();
        ushort s = e.MmSource(1);
        int dst = e.MmReg(0);
        ushort d = e.GetMm(dst);
        var (r, _) = InstEmitSseIntSwar.Funnel(e.B, [s, d], (int)(e.ImmValue(2) & 0xff), towardLow: true);
        e.MmxCommit();
        e.SetMm(dst, r);
    }

    /// <summary>Shift by imm8 or by the whole 64-bit count in an MMX register or m64 (counts are not masked).</summary>
    static void Shift(X86Emitter e, HelperFn fn)
    {
        e.MmxEnter();
        ushort count = e.IsImm(1) ? e.B.Const((long)(e.ImmValue(1) & 0xff)) : e.MmSource(1);
        e.SetVec64(S0, 0, e.GetMm(e.MmReg(0)));
        e.VecCall(fn, S0, 0, a: count);
        Finish(e, S0);
    }

    /// <summary>punpckl* (m32 source: reads only 4 bytes) / punpckh*: interleave one half of dst with the same half of src.</summary>
    static void Unpack(X86Emitter e, int lane, bool high)
    {
        var b = e.B;
        e.MmxEnter();
        ushort s = e.MmSource(1, high ? 8 : 4);
        int dst = e.MmReg(0);
        ushort d = e.GetMm(dst);
        if (high)
        {
            d = b.ShrImm(d, 32);
            s = b.ShrImm(s, 32);
        }
        ushort r = b.Or(SwarIr.Spread(b, d, lane), b.ShlImm(SwarIr.Spread(b, s, lane), lane * 8));
        e.MmxCommit();
        e.SetMm(dst, r);
    }

    static void EmitPmovmskb(X86Emitter e)
    {
        e.MmxEnter();
        ushort v = SwarIr.ByteSignBits(e.B, e.GetMm(e.MmReg(1)));
        e.MmxCommit();
        e.SetReg(e.Insn.Op0Register, v);
    }

    /// <summary>pshufw: each destination word picks a source word by a 2-bit field of imm8.</summary>
    static void EmitPshufw(X86Emitter e)
    {
        var b = e.B;
        e.MmxEnter();
        ushort s = e.MmSource(1);
        int sel = (int)(e.ImmValue(2) & 0xff);
        ushort r = b.Const(0);
        for (int k = 0; k < 4; k++)
            r = b.Or(r, b.ShlImm(b.ZExt(b.ShrImm(s, 16 * (sel >> (2 * k) & 3)), 2), 16 * k));
        e.MmxCommit();
        e.SetMm(e.MmReg(0), r);
    }

    /// <summary>pinsrw mm, r32/m16, imm8: word imm8 mod 4 replaced.</summary>
    static void EmitPinsrw(X86Emitter e)
    {
        var b = e.B;
        e.MmxEnter();
        ushort v = e.IsMem(1) ? b.Load(e.Ea(), 2) : b.ZExt(e.GetReg(e.Insn.Op1Register), 2);
        int dst = e.MmReg(0);
        int at = 16 * (int)(e.ImmValue(2) & 3);
        ushort r = b.Or(b.AndImm(e.GetMm(dst), ~(0xFFFFL << at)), b.ShlImm(v, at));
        e.MmxCommit();
        e.SetMm(dst, r);
    }

    /// <summary>pextrw r32/r64, mm, imm8: word imm8 mod 4, zero-extended.</summary>
    static void EmitPextrw(X86Emitter e)
    {
        var b = e.B;
        e.MmxEnter();
        ushort v = b.ZExt(b.ShrImm(e.GetMm(e.MmReg(1)), 16 * (int)(e.ImmValue(2) & 3)), 2);
        e.MmxCommit();
        e.SetReg(e.Insn.Op0Register, v);
    }

    /// <summary>maskmovq: a byte-masked 8-byte store at DS:RDI (or EDI); the transition is complete before the store, which may fault.</summary>
    static void EmitMaskmovq(X86Emitter e)
    {
        var b = e.B;
        e.MmxEnter();
        ushort addr = e.GetGpr(CpuState.RDI, e.Insn.Op0Kind == OpKind.MemorySegEDI ? 4 : 8);
        var seg = e.Insn.MemorySegment;
        if (seg == Register.FS) addr = b.Add(addr, b.LoadState(CpuState.OffFsBase, 8));
        else if (seg == Register.GS) addr = b.Add(addr, b.LoadState(CpuState.OffGsBase, 8));
        e.SetVec64(S0, 0, e.GetMm(e.MmReg(1)));
        e.SetVec64(S1, 0, e.GetMm(e.MmReg(2)));
        e.MmxCommit();
        e.VecCall(MaskedStore.Maskmovq, S0, S1, a: addr);
    }

    /// <summary>
    /// cvtpi2ps / cvtpi2pd xmm, mm/m64: two signed dwords converted. Only an MMX register source makes the x87
    /// transition. cvtpi2ps keeps the upper XMM quadword; the zero upper source lanes convert without flags.
    /// </summary>
    static void FromIntegers(X86Emitter e, SseConversion kind)
    {
        bool mm = e.IsMm(1);
        if (mm) e.MmxEnter();
        ushort s = e.MmSource(1);
        e.SetVec64(S1, 0, s);
        e.SetVec64(S1, 1, e.B.Const(0));
        int dst = e.VecReg(0);
        if (kind == SseConversion.Dq2Pd)
        {
            e.VecCall(SseConvertHelpers.Convert, dst, S1, 0, (int)kind);
            if (mm) e.MmxCommit();
            return;
        }
        e.VecCall(SseConvertHelpers.Convert, S0, S1, 0, (int)kind);
        ushort r = e.GetVec64(S0, 0);
        if (mm) e.MmxCommit();
        e.SetVec64(dst, 0, r);
    }

    /// <summary>
    /// cvt(t)ps2pi mm, xmm/m64 and cvt(t)pd2pi mm, xmm/m128 (aligned): the two results into MMX. The single-precision
    /// forms convert two lanes: the staged upper lanes are zeros, which convert without flags.
    /// </summary>
    static void ToIntegers(X86Emitter e, SseConversion kind)
    {
        e.MmxEnter();
        int src;
        if (kind is SseConversion.Pd2Dq or SseConversion.Tpd2Dq)
        {
            src = e.VecSourceAligned(1);
        }
        else
        {
            ushort lo = e.IsReg(1) ? e.GetVec64(e.VecReg(1), 0) : e.B.Load(e.Ea(), 8);
            e.SetVec64(S0, 0, lo);
            e.SetVec64(S0, 1, e.B.Const(0));
            src = S0;
        }
        e.VecCall(SseConvertHelpers.Convert, S1, src, 0, (int)kind);
        Finish(e, S1);
    }
}
