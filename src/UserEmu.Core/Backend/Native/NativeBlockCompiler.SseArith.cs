using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

/// <summary>
/// SSE add/sub/mul/div/min/max/sqrt (ss, sd, ps, pd) and (u)comiss/sd as the same host instruction on the guest's
/// registers in the vCPU state, when that provably changes no MXCSR flag of the guest: the host is the guest's
/// architecture, so with the guest's MXCSR controls at the default (the host's: all exceptions masked, round to nearest,
/// no DAZ/FTZ) it computes the guest's result bit for bit.
/// </summary>
/// <remarks>
/// The flags are decided from the values, as in <see cref="SseInlineArith"/>: operands normal or zero and a result
/// normal (and above the smallest binade, where tininess could depend on rounding) raise at most PE, which the guest's
/// MXCSR must already hold; min, max and the compares raise nothing for such operands. Anything else (NaN, infinity,
/// denormals, a zero or tiny result, PE not yet set, another MXCSR) runs the exact helper
/// (<see cref="SseArithFastHelpers"/>) from the untouched operands. Reading the host's flags instead (stmxcsr) cost
/// nbody 0.94 -> 2.2 s on AMD Zen, and clearing them (ldmxcsr) 2.5 s. Without any of this, nbody's loop left native
/// code for a helper at every SSE instruction (25M hand-backs per 100k steps).
/// </remarks>
public sealed unsafe partial class NativeBlockCompiler
{
    /// <summary>One SSE arithmetic helper's host instruction, operation, lane type and the bytes of the destination it writes (4, 8 or 16).</summary>
    readonly record struct SseArithForm(Code Op, SseArithOp Kind, bool Single, byte Width);

    /// <summary>The form of each <see cref="SseArithFastHelpers"/> helper, by helper id (Width 0 for other helpers).</summary>
    static readonly SseArithForm[] s_sseArith = BuildSseArith();

    static SseArithForm[] BuildSseArith()
    {
        var ops = new (SseArithOp Kind, Code Ss, Code Sd, Code Ps, Code Pd)[]
        {
            (SseArithOp.Add, Code.Addss_xmm_xmmm32, Code.Addsd_xmm_xmmm64, Code.Addps_xmm_xmmm128, Code.Addpd_xmm_xmmm128),
            (SseArithOp.Sub, Code.Subss_xmm_xmmm32, Code.Subsd_xmm_xmmm64, Code.Subps_xmm_xmmm128, Code.Subpd_xmm_xmmm128),
            (SseArithOp.Mul, Code.Mulss_xmm_xmmm32, Code.Mulsd_xmm_xmmm64, Code.Mulps_xmm_xmmm128, Code.Mulpd_xmm_xmmm128),
            (SseArithOp.Div, Code.Divss_xmm_xmmm32, Code.Divsd_xmm_xmmm64, Code.Divps_xmm_xmmm128, Code.Divpd_xmm_xmmm128),
            (SseArithOp.Min, Code.Minss_xmm_xmmm32, Code.Minsd_xmm_xmmm64, Code.Minps_xmm_xmmm128, Code.Minpd_xmm_xmmm128),
            (SseArithOp.Max, Code.Maxss_xmm_xmmm32, Code.Maxsd_xmm_xmmm64, Code.Maxps_xmm_xmmm128, Code.Maxpd_xmm_xmmm128),
            (SseArithOp.Sqrt, Code.Sqrtss_xmm_xmmm32, Code.Sqrtsd_xmm_xmmm64, Code.Sqrtps_xmm_xmmm128, Code.Sqrtpd_xmm_xmmm128),
        };
        var helpers = new ushort[ops.Length * 4];
        var forms = new SseArithForm[ops.Length * 4];
        int n = 0, length = 0;
        foreach (var (kind, ss, sd, ps, pd) in ops)
        {
            foreach (var (code, single, scalar) in new[] { (ss, true, true), (sd, false, true), (ps, true, false), (pd, false, false) })
            {
                helpers[n] = HelperTable.Id(SseArithFastHelpers.For(kind, single, scalar));
                forms[n] = new(code, kind, single, (byte)(scalar ? (single ? 4 : 8) : 16));
                length = Math.Max(length, helpers[n++] + 1);
            }
        }
        var byHelper = new SseArithForm[length];
        for (int j = 0; j < n; j++) byHelper[helpers[j]] = forms[j];
        return byHelper;
    }

    /// <summary>An SSE arithmetic helper call that native code performs itself (<see cref="SseArith"/>).</summary>
    static bool InlineSseArith(in IrInstr i) => i.Op == IrOp.Call && i.Helper < s_sseArith.Length && s_sseArith[i.Helper].Width != 0;

    void SseArith(in IrInstr i, int k)
    {
        var (op, kind, single, width) = s_sseArith[i.Helper];
        bool sqrt = kind == SseArithOp.Sqrt, minMax = kind is SseArithOp.Min or SseArithOp.Max;
        int dstOff = CpuState.XmmOffset(VectorHelpers.Dst(i.Imm)), srcOff = CpuState.XmmOffset(VectorHelpers.Src(i.Imm));
        var dst = new MemoryOperand(RDI, dstOff);
        var src = new MemoryOperand(RDI, srcOff);
        int stub = NewStub(k);
        _rax = -1;
        // The region path's fast MXCSR state (PE already set); min/max raise nothing for such operands, so PE need not be.
        if (minMax) GuestMxcsrIs(Mxcsr.Default, ~Mxcsr.FlagMask, stub);
        else GuestMxcsrIs(SseInlineArith.MxcsrFast, SseInlineArith.MxcsrMask, stub);
        int lanes = width == 16 ? (single ? 4 : 2) : 1, laneBytes = single ? 4 : 8;
        for (int lane = 0; lane < lanes; lane++)
        {
            if (!sqrt) RequireNormalOrZero(new MemoryOperand(RDI, dstOff + lane * laneBytes), single, stub);
            RequireNormalOrZero(new MemoryOperand(RDI, srcOff + lane * laneBytes), single, stub);
        }
        if (width == 16)
        {
            // Two loads: legacy SSE memory operands must be 16-byte aligned.
            if (!sqrt) E(Instruction.Create(Code.Movups_xmm_xmmm128, XMM0, dst));
            E(Instruction.Create(Code.Movups_xmm_xmmm128, XMM1, src));
            E(Instruction.Create(op, XMM0, XMM1));
        }
        else
        {
            if (!sqrt) E(Instruction.Create(width == 4 ? Code.Movss_xmm_xmmm32 : Code.Movsd_xmm_xmmm64, XMM0, dst));
            E(Instruction.Create(op, XMM0, src));
        }
        if (!minMax)
        {
            // The result's lanes, moved to rcx one by one (through memory, the 16-byte store and the narrower
            // reloads cost nbody's loop a store-forwarding wait per op).
            for (int lane = 0; lane < lanes; lane++)
            {
                var from = XMM0;
                if (lane > 0)
                {
                    E(Instruction.Create(Code.Pshufd_xmm_xmmm128_imm8, XMM2, XMM0, single ? lane : 2 * lane | (2 * lane + 1) << 2));
                    from = XMM2;
                }
                E(Instruction.Create(single ? Code.Movd_rm32_xmm : Code.Movq_rm64_xmm, single ? ECX : RCX, from));
                RequireNormalResultInRcx(single, stub);
            }
        }
        // Only the lanes the instruction writes are stored: a scalar one keeps the rest of the destination, as in the guest.
        E(Instruction.Create(width switch { 4 => Code.Movss_xmmm32_xmm, 8 => Code.Movsd_xmmm64_xmm, _ => Code.Movups_xmmm128_xmm }, dst, XMM0));
        E(Instruction.Create(Code.Xor_r32_rm32, EAX, EAX));
        StoreTemp(i.Dst);
        ResumeHere(k);
    }

    static readonly ushort s_compareFlags = HelperTable.Id(SseArithHelpers.CompareFlags);

    /// <summary>comiss/comisd/ucomiss/ucomisd, which native code performs itself (<see cref="SseCompare"/>).</summary>
    static bool InlineSseCompare(in IrInstr i) => i.Op == IrOp.Call && i.Helper == s_compareFlags;

    // The helper's result is ZF, PF and CF at their EFLAGS positions, which the host's compare leaves in its own.
    void SseCompare(in IrInstr i, int k)
    {
        int extra = VectorHelpers.Extra(i.Imm);
        bool single = (extra & 0x10) != 0, signaling = (extra & 1) != 0;
        Code op = (single, signaling) switch
        {
            (true, true) => Code.Comiss_xmm_xmmm32,
            (true, false) => Code.Ucomiss_xmm_xmmm32,
            (false, true) => Code.Comisd_xmm_xmmm64,
            _ => Code.Ucomisd_xmm_xmmm64,
        };
        var a = new MemoryOperand(RDI, CpuState.XmmOffset(VectorHelpers.Dst(i.Imm)));
        var b = new MemoryOperand(RDI, CpuState.XmmOffset(VectorHelpers.Src(i.Imm)));
        int stub = NewStub(k);
        _rax = -1;
        GuestMxcsrIs(Mxcsr.Default, ~Mxcsr.FlagMask, stub);
        RequireNormalOrZero(a, single, stub);
        RequireNormalOrZero(b, single, stub);
        E(Instruction.Create(single ? Code.Movss_xmm_xmmm32 : Code.Movsd_xmm_xmmm64, XMM0, a));
        E(Instruction.Create(op, XMM0, b));
        E(Instruction.Create(Code.Pushfq));
        E(Instruction.Create(Code.Pop_r64, RAX));
        E(Instruction.Create(Code.And_rm32_imm8, EAX, 0x45));
        StoreTemp(i.Dst);
        ResumeHere(k);
    }

    /// <summary>Takes <paramref name="stub"/> unless the guest's MXCSR, masked by <paramref name="mask"/>, is <paramref name="value"/>.</summary>
    void GuestMxcsrIs(uint value, uint mask, int stub)
    {
        E(Instruction.Create(Code.Mov_r32_rm32, ECX, new MemoryOperand(RDI, CpuState.OffMxcsr)));
        E(Instruction.Create(Code.And_rm32_imm32, ECX, unchecked((int)mask)));
        E(Instruction.Create(Code.Cmp_rm32_imm32, ECX, (int)value));
        JumpTo(Code.Jne_rel32_64, stub);
    }

    /// <summary>Takes <paramref name="stub"/> unless the float at <paramref name="m"/> is normal or ±0.</summary>
    void RequireNormalOrZero(MemoryOperand m, bool single, int stub)
    {
        int fine = NewLabel();
        LoadShiftedBits(m, single);
        JumpTo(Code.Je_rel32_64, fine);
        ExponentWithin(single, lowest: 1, stub);
        BindKeepingRax(fine);
    }

    /// <summary>Takes <paramref name="stub"/> unless the float in rcx (ecx) is normal and above the smallest binade.</summary>
    void RequireNormalResultInRcx(bool single, int stub)
    {
        ShiftOutSign(single);
        ExponentWithin(single, lowest: 2, stub);
    }

    // rcx = the float's bits shifted left once (the sign gone; ZF: the float is ±0).
    void LoadShiftedBits(MemoryOperand m, bool single)
    {
        E(single ? Instruction.Create(Code.Mov_r32_rm32, ECX, m) : Instruction.Create(Code.Mov_r64_rm64, RCX, m));
        ShiftOutSign(single);
    }

    // rcx (ecx) shifted left once: the sign gone, ZF set for ±0.
    void ShiftOutSign(bool single) =>
        E(single ? Instruction.Create(Code.Add_r32_rm32, ECX, ECX) : Instruction.Create(Code.Add_r64_rm64, RCX, RCX));

    // From rcx as LoadShiftedBits leaves it: takes the stub unless lowest <= exponent < all ones.
    void ExponentWithin(bool single, int lowest, int stub)
    {
        int max = single ? 0xFF : 0x7FF;
        if (single) E(Instruction.Create(Code.Shr_rm32_imm8, ECX, 24));
        else E(Instruction.Create(Code.Shr_rm64_imm8, RCX, 53));
        E(Instruction.Create(Code.Sub_rm32_imm8, ECX, lowest));
        E(Instruction.Create(Code.Cmp_rm32_imm32, ECX, max - 1 - lowest));
        JumpTo(Code.Ja_rel32_64, stub);
    }

    void BindKeepingRax(int label)
    {
        int rax = _rax;
        Bind(label);
        _rax = rax;
    }
}
