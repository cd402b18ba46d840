using Iced.Intel;
using UserEmu.Cpu.X86;
using static UserEmu.Cpu.X86.SseShuffleHelpers;
using W = UserEmu.Cpu.X86.WholeVectorHelpers;

namespace UserEmu.Frontend.X86;

/// <summary>SSE float data rearrangement: shufps/pd, unpck*, movs*dup, blends, insertps, extractps, movmskps/pd.</summary>
static class InstEmitSseFloatShuffle
{
    public static void Install(X86EmitterTable t)
    {
        Add(t, Mnemonic.Shufps, Kind.Shufps);
        t[Mnemonic.Shufpd] = e => Halves(e, (int)e.ImmValue(2) & 1, 2 + ((int)e.ImmValue(2) >> 1 & 1));
        Add(t, Mnemonic.Unpcklps, Kind.Unpcklps);
        Add(t, Mnemonic.Unpckhps, Kind.Unpckhps);
        t[Mnemonic.Unpcklpd] = e => Halves(e, 0, 2);
        t[Mnemonic.Unpckhpd] = e => Halves(e, 1, 3);
        Add(t, Mnemonic.Movshdup, Kind.Movshdup);
        Add(t, Mnemonic.Movsldup, Kind.Movsldup);
        Add(t, Mnemonic.Blendps, Kind.Blendps);
        t[Mnemonic.Blendpd] = e => Halves(e, ((int)e.ImmValue(2) & 1) != 0 ? 2 : 0, ((int)e.ImmValue(2) & 2) != 0 ? 3 : 1);
        Add(t, Mnemonic.Blendvps, Kind.Blendvps);
        Add(t, Mnemonic.Blendvpd, Kind.Blendvpd);
        t[Mnemonic.Insertps] = Insertps;
        t[Mnemonic.Extractps] = Extractps;
        t[Mnemonic.Movmskps] = e => InstEmitSseIntSwar.SignMask(e, lanes: 2, size: 4);
        t[Mnemonic.Movmskpd] = e => InstEmitSseIntSwar.SignMask(e, lanes: 2, size: 8);
    }

    static void Add(X86EmitterTable t, Mnemonic m, Kind kind) => t[m] = e =>
    {
        int imm8 = e.Insn.OpCount > 2 && e.IsImm(2) ? (int)e.ImmValue(2) & 0xFF : 0;
        InstEmitSseFloatArith.Call(e, Shuffle, 16, (int)kind, imm8);
    };

    /// <summary>
    /// The double-lane rearrangements as IR: the new low and high halves are picked from destination halves 0, 1 or
    /// source halves 2, 3.
    /// </summary>
    static void Halves(X86Emitter e, int lo, int hi)
    {
        int src = e.VecSourceAligned(1);
        int dst = e.VecReg(0);
        if (UserEmu.Host.HostCpuFeatures.Avx2 && e.Insn.Code.Encoding() == EncodingKind.Legacy)
        {
            // One host vshufpd in native code (NativeBlockCompiler.WholeVector); as 64-bit halves, each half that
            // went through a general register was a movq or pextrq, a state store and a movq or pinsrq back.
            int first = lo < 2 ? dst : src, second = hi < 2 ? dst : src;
            var op = (W.Op)((int)W.Op.ShufPd0 + ((lo & 1) | (hi & 1) << 1));
            e.HelperImm(W.OnRegisters, W.Pack(op, dst, first, second, ymm: false, memory: false, legacy: true));
            return;
        }
        ushort l = e.GetVec64(lo < 2 ? dst : src, lo & 1), h = e.GetVec64(hi < 2 ? dst : src, hi & 1);
        e.SetVec64(dst, 0, l);
        e.SetVec64(dst, 1, h);
    }

    /// <summary>insertps: a memory source is one float, so the source-lane field of imm8 does not apply to it.</summary>
    static void Insertps(X86Emitter e)
    {
        int imm8 = (int)e.ImmValue(2) & 0xFF;
        if (e.IsMem(1)) imm8 &= 0x3F;
        InstEmitSseFloatArith.Call(e, Shuffle, 4, (int)Kind.Insertps, imm8);
    }

    /// <summary>extractps: one float lane to a general register (zero-extended) or to memory.</summary>
    static void Extractps(X86Emitter e)
    {
        int lane = (int)e.ImmValue(2) & 3;
        ushort v = e.B.LoadState(CpuState.XmmOffset(e.VecReg(1)) + 4 * lane, 4);
        if (e.IsMem(0)) e.B.Store(e.Ea(), v, 4);
        else e.SetGpr(X86Emitter.GprIndex(e.Insn.Op0Register), 8, v);
    }
}
