using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using static UserEmu.Cpu.X86.SseArithHelpers;

namespace UserEmu.Frontend.X86;

/// <summary>SSE/SSE2/SSE3/SSE4.1 float arithmetic and compares: each instruction is one helper call on register indices.</summary>
static class InstEmitSseFloatArith
{
    public static void Install(X86EmitterTable t)
    {
        Lanewise(t, SseArithOp.Add, Mnemonic.Addps, Mnemonic.Addpd, Mnemonic.Addss, Mnemonic.Addsd);
        Lanewise(t, SseArithOp.Sub, Mnemonic.Subps, Mnemonic.Subpd, Mnemonic.Subss, Mnemonic.Subsd);
        Lanewise(t, SseArithOp.Mul, Mnemonic.Mulps, Mnemonic.Mulpd, Mnemonic.Mulss, Mnemonic.Mulsd);
        Lanewise(t, SseArithOp.Div, Mnemonic.Divps, Mnemonic.Divpd, Mnemonic.Divss, Mnemonic.Divsd);
        Lanewise(t, SseArithOp.Min, Mnemonic.Minps, Mnemonic.Minpd, Mnemonic.Minss, Mnemonic.Minsd);
        Lanewise(t, SseArithOp.Max, Mnemonic.Maxps, Mnemonic.Maxpd, Mnemonic.Maxss, Mnemonic.Maxsd);
        Lanewise(t, SseArithOp.Sqrt, Mnemonic.Sqrtps, Mnemonic.Sqrtpd, Mnemonic.Sqrtss, Mnemonic.Sqrtsd);

        t[Mnemonic.Haddps] = e => Call(e, Horizontal, 16, 0x10);
        t[Mnemonic.Haddpd] = e => Call(e, Horizontal, 16, 0);
        t[Mnemonic.Hsubps] = e => Call(e, Horizontal, 16, 0x11);
        t[Mnemonic.Hsubpd] = e => Call(e, Horizontal, 16, 1);
        t[Mnemonic.Addsubps] = e => Call(e, AddSub, 16, 0x10);
        t[Mnemonic.Addsubpd] = e => Call(e, AddSub, 16, 0);

        // Legacy compares have eight predicates (imm8 bits 3..7 ignored); the VEX forms have 32 (CompareVex).
        t[Mnemonic.Cmpps] = e => Call(e, Compare, 16, Shape(0, true, false), ImmByte(e) & 7);
        t[Mnemonic.Cmppd] = e => Call(e, Compare, 16, Shape(0, false, false), ImmByte(e) & 7);
        t[Mnemonic.Cmpss] = e => Call(e, Compare, 4, Shape(0, true, true), ImmByte(e) & 7);
        t[Mnemonic.Cmpsd] = e => Call(e, Compare, 8, Shape(0, false, true), ImmByte(e) & 7);
        t[Mnemonic.Comiss] = e => CompareToFlags(e, 4, 0x11);
        t[Mnemonic.Comisd] = e => CompareToFlags(e, 8, 1);
        t[Mnemonic.Ucomiss] = e => CompareToFlags(e, 4, 0x10);
        t[Mnemonic.Ucomisd] = e => CompareToFlags(e, 8, 0);

        t[Mnemonic.Dpps] = e => Call(e, DotSingle, 16, 0, ImmByte(e));
        t[Mnemonic.Dppd] = e => Call(e, DotDouble, 16, 0, ImmByte(e));
        t[Mnemonic.Rcpps] = e => Call(e, Approx, 16, 0);
        t[Mnemonic.Rcpss] = e => Call(e, Approx, 4, 0x20);
        t[Mnemonic.Rsqrtps] = e => Call(e, Approx, 16, 1);
        t[Mnemonic.Rsqrtss] = e => Call(e, Approx, 4, 0x21);

        t[Mnemonic.Roundps] = e => Call(e, SseConvertHelpers.RoundIntegral, 16, Shape(0, true, false), ImmByte(e));
        t[Mnemonic.Roundpd] = e => Call(e, SseConvertHelpers.RoundIntegral, 16, Shape(0, false, false), ImmByte(e));
        t[Mnemonic.Roundss] = e => Call(e, SseConvertHelpers.RoundIntegral, 4, Shape(0, true, true), ImmByte(e));
        t[Mnemonic.Roundsd] = e => Call(e, SseConvertHelpers.RoundIntegral, 8, Shape(0, false, true), ImmByte(e));
    }

    /// <summary>The 128-bit lane step of vcmpps/pd/ss/sd (run by the VEX lowering): all 32 predicates of imm8.</summary>
    public static InsnEmitter CompareVex(bool single, bool scalar) =>
        e => Call(e, Compare, scalar ? (single ? 4 : 8) : 16, Shape(0, single, scalar), ImmByte(e) & 31);

    /// <summary>Registers the ps, pd, ss and sd forms of one operation.</summary>
    static void Lanewise(X86EmitterTable t, SseArithOp op, Mnemonic ps, Mnemonic pd, Mnemonic ss, Mnemonic sd)
    {
        HelperFn fps = SseArithFastHelpers.For(op, true, false), fpd = SseArithFastHelpers.For(op, false, false);
        HelperFn fss = SseArithFastHelpers.For(op, true, true), fsd = SseArithFastHelpers.For(op, false, true);
        t[ps] = e => Call(e, fps, 16, 0);
        t[pd] = e => Call(e, fpd, 16, 0);
        t[ss] = e => Call(e, fss, 4, 0);
        t[sd] = e => Call(e, fsd, 8, 0);
    }

    /// <summary>The last operand's immediate byte.</summary>
    static int ImmByte(X86Emitter e) => (int)e.ImmValue(e.Insn.OpCount - 1) & 0xFF;

    /// <summary>
    /// Source operand 1 of <paramref name="bytes"/> bytes: a register, or memory staged in the scratch slot (16-byte
    /// operands of legacy SSE must be aligned).
    /// </summary>
    internal static int Source(X86Emitter e, int bytes) => bytes == 16 ? e.VecSourceAligned(1) : e.VecSource(1, bytes);

    /// <summary>Calls <paramref name="fn"/> on destination operand 0 and the source operand 1.</summary>
    internal static void Call(X86Emitter e, HelperFn fn, int bytes, int extra, int imm8 = 0)
    {
        int src = Source(e, bytes);
        e.VecCall(fn, e.VecReg(0), src, imm8, extra);
    }

    static void CompareToFlags(X86Emitter e, int bytes, int extra)
    {
        int src = Source(e, bytes);
        e.SetEflags(e.VecCall(CompareFlags, e.VecReg(0), src, 0, extra));
    }
}
