using UserEmu.Engine;
using static UserEmu.Cpu.X86.VectorHelpers;

namespace UserEmu.Cpu.X86;

/// <summary>Element rearrangements of the SSE float instructions: shuffles, unpacks, blends, insertps, sign masks.</summary>
/// <remarks>No arithmetic, so no MXCSR flags and nothing that can fault.</remarks>
public static unsafe class SseShuffleHelpers
{
    /// <summary>The shuffle-like instructions done here, by the helper's "extra" (the 64-bit-lane ones are IR, see InstEmitSseFloatShuffle).</summary>
    public enum Kind { Shufps, Unpcklps, Unpckhps, Movshdup, Movsldup, Blendps, Blendvps, Blendvpd, Insertps }

    public static ulong Shuffle(Vcpu cpu, ulong a, ulong b, long imm)
    {
        int k = Imm8(imm);
        var d = Xmm(cpu, Dst(imm));
        var s = Xmm(cpu, Src(imm));
        var r = d;
        switch ((Kind)Extra(imm))
        {
            case Kind.Shufps:
                SseLanes.U32(ref r, 0) = SseLanes.U32(ref d, k & 3);
                SseLanes.U32(ref r, 1) = SseLanes.U32(ref d, (k >> 2) & 3);
                SseLanes.U32(ref r, 2) = SseLanes.U32(ref s, (k >> 4) & 3);
                SseLanes.U32(ref r, 3) = SseLanes.U32(ref s, (k >> 6) & 3);
                break;
            case Kind.Unpcklps or Kind.Unpckhps:
            {
                int o = (Kind)Extra(imm) == Kind.Unpckhps ? 2 : 0;
                SseLanes.U32(ref r, 0) = SseLanes.U32(ref d, o);
                SseLanes.U32(ref r, 1) = SseLanes.U32(ref s, o);
                SseLanes.U32(ref r, 2) = SseLanes.U32(ref d, o + 1);
                SseLanes.U32(ref r, 3) = SseLanes.U32(ref s, o + 1);
                break;
            }
            case Kind.Movshdup or Kind.Movsldup:
            {
                int o = (Kind)Extra(imm) == Kind.Movshdup ? 1 : 0;
                for (int i = 0; i < 4; i++) SseLanes.U32(ref r, i) = SseLanes.U32(ref s, (i & ~1) + o);
                break;
            }
            case Kind.Blendps:
                for (int i = 0; i < 4; i++) if ((k >> i & 1) != 0) SseLanes.U32(ref r, i) = SseLanes.U32(ref s, i);
                break;
            case Kind.Blendvps:
            {
                var mask = Xmm(cpu, 0);
                for (int i = 0; i < 4; i++) if ((int)SseLanes.U32(ref mask, i) < 0) SseLanes.U32(ref r, i) = SseLanes.U32(ref s, i);
                break;
            }
            case Kind.Blendvpd:
            {
                var mask = Xmm(cpu, 0);
                for (int i = 0; i < 2; i++) if ((long)SseLanes.U64(ref mask, i) < 0) SseLanes.U64(ref r, i) = SseLanes.U64(ref s, i);
                break;
            }
            case Kind.Insertps:
            {
                // A memory source is staged as one float in lane 0: imm8[7:6] then selects nothing (the emitter clears them).
                SseLanes.U32(ref r, (k >> 4) & 3) = SseLanes.U32(ref s, (k >> 6) & 3);
                for (int i = 0; i < 4; i++) if ((k >> i & 1) != 0) SseLanes.U32(ref r, i) = 0;
                break;
            }
        }
        Xmm(cpu, Dst(imm)) = r;
        return 0;
    }
}
