using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.Host;
using UserEmu.IR;
using System.Runtime.Intrinsics.X86;
using static Iced.Intel.Register;
using AvxOp = UserEmu.Cpu.X86.AvxPermuteHelpers.AvxOp;

namespace UserEmu.Backend.Native;

/// <summary>
/// Vector helpers whose whole work is one host SSE or AVX2 instruction on the destination and source registers
/// (no flags, no MXCSR): native code runs that instruction on the registers in the vCPU state instead of leaving for
/// the helper.
/// </summary>
/// <remarks>
/// The packed integer helpers that are one SSE instruction (saturating and multiplying arithmetic, min/max beyond
/// pminub/pmaxub, packs, pshufb, psadbw, horizontal adds). The legacy forms of compares, pminub/pmaxub and pmovmskb
/// stay integer IR (SWAR): as host instructions on the state, glibc's AVX2 strlen and strcmp ran 15% slower, each
/// value's round trip from GPR stores to an XMM load and back costing more latency than the 30 integer ops it
/// replaced. Their VEX forms, loads included, are whole host instructions on held registers (WholeVector).
/// pshufb: python3's json_sha handed 1.46M pshufbs (glibc's string code) back to the managed side per run.
/// vpbroadcastb/w/d/q (glibc's AVX2 memchr, strchr and memset): cc1 handed back 1.46M, python3 0.55M. vinserti128,
/// vbroadcasti128, vperm2i128, vpermq and vpermd/vpermps are one AVX2 instruction too.
/// </remarks>
public sealed unsafe partial class NativeBlockCompiler
{
    static readonly ushort s_avxPermute = HelperTable.Id(AvxPermuteHelpers.Apply);

    /// <summary>By helper id: the host instruction that computes dst = op(dst, src) as the helper does (Code.INVALID for other helpers).</summary>
    static readonly Code[] s_hostVectorOps = BuildHostVectorOps();

    static Code[] BuildHostVectorOps()
    {
        bool ssse3 = Ssse3.IsSupported, sse41 = Sse41.IsSupported;
        var ops = new (HelperFn Fn, Code Op, bool Host)[]
        {
            (ShuffleHelpers.Pshufb, Code.Pshufb_xmm_xmmm128, ssse3),
            (ShuffleHelpers.Packsswb, Code.Packsswb_xmm_xmmm128, true), (ShuffleHelpers.Packssdw, Code.Packssdw_xmm_xmmm128, true),
            (ShuffleHelpers.Packuswb, Code.Packuswb_xmm_xmmm128, true), (ShuffleHelpers.Packusdw, Code.Packusdw_xmm_xmmm128, sse41),
            (PackedIntHelpers.Paddsb, Code.Paddsb_xmm_xmmm128, true), (PackedIntHelpers.Paddsw, Code.Paddsw_xmm_xmmm128, true),
            (PackedIntHelpers.Paddusb, Code.Paddusb_xmm_xmmm128, true), (PackedIntHelpers.Paddusw, Code.Paddusw_xmm_xmmm128, true),
            (PackedIntHelpers.Psubsb, Code.Psubsb_xmm_xmmm128, true), (PackedIntHelpers.Psubsw, Code.Psubsw_xmm_xmmm128, true),
            (PackedIntHelpers.Psubusb, Code.Psubusb_xmm_xmmm128, true), (PackedIntHelpers.Psubusw, Code.Psubusw_xmm_xmmm128, true),
            (PackedIntHelpers.Pminsw, Code.Pminsw_xmm_xmmm128, true), (PackedIntHelpers.Pmaxsw, Code.Pmaxsw_xmm_xmmm128, true),
            (PackedIntHelpers.Pminsb, Code.Pminsb_xmm_xmmm128, sse41), (PackedIntHelpers.Pmaxsb, Code.Pmaxsb_xmm_xmmm128, sse41),
            (PackedIntHelpers.Pminuw, Code.Pminuw_xmm_xmmm128, sse41), (PackedIntHelpers.Pmaxuw, Code.Pmaxuw_xmm_xmmm128, sse41),
            (PackedIntHelpers.Pminud, Code.Pminud_xmm_xmmm128, sse41), (PackedIntHelpers.Pmaxud, Code.Pmaxud_xmm_xmmm128, sse41),
            (PackedIntHelpers.Pminsd, Code.Pminsd_xmm_xmmm128, sse41), (PackedIntHelpers.Pmaxsd, Code.Pmaxsd_xmm_xmmm128, sse41),
            (PackedIntHelpers.Pavgb, Code.Pavgb_xmm_xmmm128, true), (PackedIntHelpers.Pavgw, Code.Pavgw_xmm_xmmm128, true),
            (PackedIntHelpers.Pmullw, Code.Pmullw_xmm_xmmm128, true), (PackedIntHelpers.Pmulld, Code.Pmulld_xmm_xmmm128, sse41),
            (PackedIntHelpers.Pmulhw, Code.Pmulhw_xmm_xmmm128, true), (PackedIntHelpers.Pmulhuw, Code.Pmulhuw_xmm_xmmm128, true),
            (PackedIntHelpers.Pmulhrsw, Code.Pmulhrsw_xmm_xmmm128, ssse3), (PackedIntHelpers.Pmuludq, Code.Pmuludq_xmm_xmmm128, true),
            (PackedIntHelpers.Pmuldq, Code.Pmuldq_xmm_xmmm128, sse41), (PackedIntHelpers.Pmaddwd, Code.Pmaddwd_xmm_xmmm128, true),
            (PackedIntHelpers.Pmaddubsw, Code.Pmaddubsw_xmm_xmmm128, ssse3), (PackedIntHelpers.Psadbw, Code.Psadbw_xmm_xmmm128, true),
            (PackedIntHelpers.Pabsb, Code.Pabsb_xmm_xmmm128, ssse3), (PackedIntHelpers.Pabsw, Code.Pabsw_xmm_xmmm128, ssse3),
            (PackedIntHelpers.Pabsd, Code.Pabsd_xmm_xmmm128, ssse3),
            (PackedIntHelpers.Psignb, Code.Psignb_xmm_xmmm128, ssse3), (PackedIntHelpers.Psignw, Code.Psignw_xmm_xmmm128, ssse3),
            (PackedIntHelpers.Psignd, Code.Psignd_xmm_xmmm128, ssse3),
            (PackedIntHelpers.Phaddw, Code.Phaddw_xmm_xmmm128, ssse3), (PackedIntHelpers.Phaddsw, Code.Phaddsw_xmm_xmmm128, ssse3),
            (PackedIntHelpers.Phsubw, Code.Phsubw_xmm_xmmm128, ssse3), (PackedIntHelpers.Phsubsw, Code.Phsubsw_xmm_xmmm128, ssse3),
            (PackedIntHelpers.Phaddd, Code.Phaddd_xmm_xmmm128, ssse3), (PackedIntHelpers.Phsubd, Code.Phsubd_xmm_xmmm128, ssse3),
        };
        var ids = new ushort[ops.Length];
        int length = 0;
        for (int n = 0; n < ops.Length; n++) length = Math.Max(length, (ids[n] = HelperTable.Id(ops[n].Fn)) + 1);
        var byHelper = new Code[length];
        for (int n = 0; n < ops.Length; n++)
            if (ops[n].Host) byHelper[ids[n]] = ops[n].Op;
        return byHelper;
    }

    /// <summary>A helper call that is one host instruction on vector registers (<see cref="VectorOp"/>).</summary>
    static bool InlineVectorOp(in IrInstr i) => i.Op == IrOp.Call && (HostVectorOp(i) != Code.INVALID || InlineAvxPermute(i));

    static Code HostVectorOp(in IrInstr i) => i.Helper < s_hostVectorOps.Length ? s_hostVectorOps[i.Helper] : Code.INVALID;

    // The host has AVX2 wherever these can run natively (the guest sees AVX2 only through our CPUID, which need not
    // match the host's).
    static bool InlineAvxPermute(in IrInstr i) => i.Helper == s_avxPermute && HostCpuFeatures.Avx2
        && (AvxOp)(VectorHelpers.Extra(i.Imm) >> 9) is AvxOp.BroadcastB or AvxOp.BroadcastW or AvxOp.BroadcastD or AvxOp.BroadcastQ
            or AvxOp.Broadcast128 or AvxOp.Insert128 or AvxOp.Perm2x128 or AvxOp.PermQ or AvxOp.PermD;

    void VectorOp(in IrInstr i)
    {
        int dstOff = CpuState.XmmOffset(VectorHelpers.Dst(i.Imm)), srcOff = CpuState.XmmOffset(VectorHelpers.Src(i.Imm));
        var dst = StateOperand(dstOff);
        var src = StateOperand(srcOff);
        if (HostVectorOp(i) is var hostOp && hostOp != Code.INVALID)
        {
            // Operands in halves (LoadHalves): the guest's register moves store 8 bytes at a time.
            LoadHalves(XMM0, dstOff);
            LoadHalves(XMM1, srcOff);
            E(Instruction.Create(hostOp, XMM0, XMM1));
            StoreHalves(dstOff, XMM0);
        }
        else
            AvxPermute(i, dst, src);
        HelperReturnedZero(i.Dst);
    }

    // AvxPermuteHelpers.Apply's broadcasts, lane inserts and cross-lane permutes as the one AVX2 instruction each is:
    // the first source (extra bits 0..7) in ymm1, the second from the state. A 128-bit form zeroes bits 255:128
    // (VEX.128 does that to ymm0, and all 32 bytes are stored). vzeroupper: no AVX-to-SSE transition for later legacy
    // SSE code. python3's sha256 (OpenSSL's AVX2 code) handed back 104k vinserti128 per run.
    void AvxPermute(in IrInstr i, MemoryOperand dst, MemoryOperand src)
    {
        int extra = VectorHelpers.Extra(i.Imm);
        bool ymm = (extra & 0x100) != 0;
        var op = (AvxOp)(extra >> 9);
        var first = StateOperand(CpuState.XmmOffset(extra & 0xff));
        int imm8 = VectorHelpers.Imm8(i.Imm);
        switch (op)
        {
            case AvxOp.Insert128:
                E(Instruction.Create(Code.VEX_Vmovdqu_ymm_ymmm256, YMM1, first));
                E(Instruction.Create(Code.VEX_Vinserti128_ymm_ymm_xmmm128_imm8, YMM0, YMM1, src, imm8 & 1));
                break;
            case AvxOp.Perm2x128:
                E(Instruction.Create(Code.VEX_Vmovdqu_ymm_ymmm256, YMM1, first));
                E(Instruction.Create(Code.VEX_Vperm2i128_ymm_ymm_ymmm256_imm8, YMM0, YMM1, src, imm8));
                break;
            case AvxOp.PermD:
                // Indices in the first source, data in the second (vpermd and vpermps alike).
                E(Instruction.Create(Code.VEX_Vmovdqu_ymm_ymmm256, YMM1, first));
                E(Instruction.Create(Code.VEX_Vpermd_ymm_ymm_ymmm256, YMM0, YMM1, src));
                break;
            case AvxOp.PermQ:
                E(Instruction.Create(Code.VEX_Vpermq_ymm_ymmm256_imm8, YMM0, src, imm8));
                break;
            case AvxOp.Broadcast128:
                E(Instruction.Create(Code.VEX_Vbroadcasti128_ymm_m128, YMM0, src));
                break;
            default:
                // The low element of the source, to every element.
                E(Instruction.Create(op switch
                {
                    AvxOp.BroadcastB => ymm ? Code.VEX_Vpbroadcastb_ymm_xmmm8 : Code.VEX_Vpbroadcastb_xmm_xmmm8,
                    AvxOp.BroadcastW => ymm ? Code.VEX_Vpbroadcastw_ymm_xmmm16 : Code.VEX_Vpbroadcastw_xmm_xmmm16,
                    AvxOp.BroadcastD => ymm ? Code.VEX_Vpbroadcastd_ymm_xmmm32 : Code.VEX_Vpbroadcastd_xmm_xmmm32,
                    _ => ymm ? Code.VEX_Vpbroadcastq_ymm_xmmm64 : Code.VEX_Vpbroadcastq_xmm_xmmm64,
                }, ymm ? YMM0 : XMM0, src));
                break;
        }
        E(Instruction.Create(Code.VEX_Vmovdqu_ymmm256_ymm, dst, YMM0));
        E(Instruction.Create(Code.VEX_Vzeroupper));
    }
}
