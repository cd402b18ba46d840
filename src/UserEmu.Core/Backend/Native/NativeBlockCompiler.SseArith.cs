using Iced.Intel;
using UserEmu.Host;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

/// <summary>
/// SSE add/sub/mul/div/min/max/sqrt (ss, sd, ps, pd) and (u)comiss/sd as the same host instruction on the guest's
/// registers in the vCPU state: the host is the guest's architecture, so with the guest's MXCSR controls at the host's
/// (all exceptions masked, round to nearest, no DAZ/FTZ) it computes the guest's result and raises the guest's flags,
/// bit for bit, in the host's MXCSR. <see cref="NativeBlockRunner"/>'s entry stub clears those flags on the way in and
/// ORs them into the guest's MXCSR on the way out, so nothing per instruction reads or writes MXCSR.
/// </summary>
/// <remarks>
/// Under any other MXCSR control (an unmasked exception, DAZ, FTZ, another rounding mode) the rest of the block runs in
/// the interpreter, whose helpers are exact (<see cref="SseArithFastHelpers"/>). Reading the guest's MXCSR (stmxcsr)
/// goes to the managed side, after the exit has brought the flags in. Before this, each operation checked that its
/// operands and result could raise no flag but PE, with PE already set (11 host instructions per lane), and MXCSR
/// itself: nbody 1.50 -> 0.66 s. Reading the host's flags per instruction (stmxcsr) had cost nbody 0.94 -> 2.2 s on
/// AMD Zen, and clearing them (ldmxcsr) 2.5 s.
/// </remarks>
public sealed unsafe partial class NativeBlockCompiler
{
    /// <summary>One SSE arithmetic helper's host instruction, operation and the bytes of the destination it writes (4, 8 or 16).</summary>
    readonly record struct SseArithForm(Code Op, SseArithOp Kind, byte Width);

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
                forms[n] = new(code, kind, (byte)(scalar ? (single ? 4 : 8) : 16));
                length = Math.Max(length, helpers[n++] + 1);
            }
        }
        var byHelper = new SseArithForm[length];
        for (int j = 0; j < n; j++) byHelper[helpers[j]] = forms[j];
        return byHelper;
    }

    /// <summary>An SSE arithmetic helper call that native code performs itself (<see cref="SseArith"/>).</summary>
    static bool InlineSseArith(in IrInstr i) => i.Op == IrOp.Call && i.Helper < s_sseArith.Length && s_sseArith[i.Helper].Width != 0;

    // Whether the code since the last helper call has checked MXCSR's controls (RequireDefaultMxcsrControls).
    bool _mxcsrControlsChecked;

    void SseArith(in IrInstr i, int k)
    {
        var (op, kind, width) = s_sseArith[i.Helper];
        bool sqrt = kind == SseArithOp.Sqrt;
        int dstOff = CpuState.XmmOffset(VectorHelpers.Dst(i.Imm)), srcOff = CpuState.XmmOffset(VectorHelpers.Src(i.Imm));
        var src = StateOperand(srcOff);
        RequireDefaultMxcsrControls(k);
        // Operands still in registers from an earlier operation are taken from there (NativeBlockCompiler.XmmCache).
        var srcReg = CachedXmm(srcOff, width);
        var dstReg = sqrt ? None : CachedXmm(dstOff, width);
        var x = NewXmm(srcReg, dstReg);
        // The bytes x holds the destination's value of: a copy of a held register keeps its other lanes (up to 16).
        int held = width;
        if (dstReg != None)
        {
            E(Instruction.Create(Code.Movaps_xmm_xmmm128, x, dstReg));
            held = Math.Min(16, Math.Max(width, (int)_xmmWidth[dstReg - XMM0]));
        }
        // sqrt writes only the low lane: a zeroed register keeps it from waiting for the register's last writer.
        else if (sqrt) E(Instruction.Create(Code.Xorps_xmm_xmmm128, x, x));
        else LoadXmm(x, dstOff, width);
        if (srcReg != None) E(Instruction.Create(op, x, srcReg));
        else if (width == 16)
        {
            LoadHalves(XMM1, srcOff);
            E(Instruction.Create(op, x, XMM1));
        }
        else
        {
            FlushXmm(srcOff, width);
            E(Instruction.Create(op, x, src));
        }
        // Not stored yet (NativeBlockCompiler.XmmCache): a scalar result keeps the rest of the destination, as in the guest.
        HoldXmm(x, dstOff, held, dirty: true);
        HelperReturnedZero(i.Dst);
    }

    // x = the `width` (4, 8 or 16) bytes of the state at `offset`. 16 bytes as two 8-byte loads: legacy SSE memory
    // operands must be 16-byte aligned, and the guest's register moves and unpacks store the halves separately (state
    // stores of 8 bytes), which a 16-byte load cannot take from the store buffer (a forwarding stall of a dozen cycles
    // on every packed op in nbody).
    void LoadXmm(Register x, int offset, int width)
    {
        FlushXmm(offset, width);
        if (width == 32) E(Instruction.Create(Code.VEX_Vmovdqu_ymm_ymmm256, YMM0 + (x - XMM0), StateOperand(offset)));
        else if (width == 16) LoadHalves(x, offset);
        else E(Instruction.Create(width == 4 ? Code.Movss_xmm_xmmm32 : Code.Movsd_xmm_xmmm64, x, StateOperand(offset)));
    }

    void LoadHalves(Register xmm, int offset)
    {
        FlushXmm(offset, 16);
        E(Instruction.Create(Code.Movsd_xmm_xmmm64, xmm, StateOperand(offset)));
        E(Instruction.Create(Code.Movhpd_xmm_m64, xmm, StateOperand(offset + 8)));
    }

    /// <summary>
    /// A 16-byte result as two 8-byte stores: integer IR reads vector state 8 bytes at a time, and a load of a 16-byte
    /// store's upper half is not forwarded on this host (AMD Zen: a stall on every glibc AVX2 compare read back).
    /// </summary>
    void StoreHalves(int offset, Register xmm)
    {
        E(Instruction.Create(Code.Movsd_xmmm64_xmm, StateOperand(offset), xmm));
        E(Instruction.Create(Code.Movhpd_m64_xmm, StateOperand(offset + 8), xmm));
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
        int aOff = CpuState.XmmOffset(VectorHelpers.Dst(i.Imm)), bOff = CpuState.XmmOffset(VectorHelpers.Src(i.Imm));
        RequireDefaultMxcsrControls(k);
        // Operands held in registers (NativeBlockCompiler.XmmCache) are taken from there.
        int width = single ? 4 : 8;
        var a = CachedXmm(aOff, width);
        if (a == None)
        {
            a = XMM0;
            LoadXmm(XMM0, aOff, width);
        }
        var b = CachedXmm(bOff, width);
        if (b != None) E(Instruction.Create(op, a, b));
        else
        {
            FlushXmm(bOff, width);
            E(Instruction.Create(op, a, StateOperand(bOff)));
        }
        // ZF, PF and CF as materialised flags: by lahf (one simple instruction) where pushf took ~4% of nbody's
        // native-code samples (glibc's sqrt tests its argument with ucomisd).
        if (HostCpuFeatures.LahfSahf)
        {
            E(Instruction.Create(Code.Lahf));
            E(Instruction.Create(Code.Movzx_r32_rm8, EAX, AH));
        }
        else
        {
            E(Instruction.Create(Code.Pushfq));
            E(Instruction.Create(Code.Pop_r64, RAX));
        }
        E(Instruction.Create(Code.And_rm32_imm8, EAX, 0x45));
        StoreTemp(i.Dst);
    }

    /// <summary>
    /// Leaves for the interpreter, which runs the rest of the block from op <paramref name="k"/>, unless the guest's
    /// MXCSR controls are the host's (its flags aside: those the code raises are the host's until it exits).
    /// </summary>
    /// <remarks>Checked once until a helper call, which may change MXCSR (ldmxcsr, fxrstor, xrstor), and not per
    /// instruction: with a stub per instruction that resumes after it, no instruction could rely on an earlier check.</remarks>
    void RequireDefaultMxcsrControls(int k)
    {
        if (_mxcsrControlsChecked) return;
        int exit = NewGroupExit(k);
        E(Instruction.Create(Code.Mov_r32_rm32, ECX, StateOperand(CpuState.OffMxcsr)));
        E(Instruction.Create(Code.And_rm32_imm32, ECX, unchecked((int)~Mxcsr.FlagMask)));
        E(Instruction.Create(Code.Cmp_rm32_imm32, ECX, (int)Mxcsr.Default));
        JumpTo(Code.Jne_rel32_64, exit);
        _mxcsrControlsChecked = true;
    }
}
