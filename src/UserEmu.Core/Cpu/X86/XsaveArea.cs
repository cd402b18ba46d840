using System.Runtime.CompilerServices;

namespace UserEmu.Cpu.X86;

/// <summary>
/// The XSAVE image of the user state components UserEmu has: x87 (0), SSE (1) and AVX (2), in the standard format
/// (which for these three is also the compacted format): the FXSAVE legacy area, the 64-byte header at 512 with
/// XSTATE_BV and XCOMP_BV, and the upper YMM halves at 576.
/// </summary>
public static unsafe class XsaveArea
{
    public const ulong X87 = 1, Sse = 2, Avx = 4;
    public const int HeaderOffset = 512, AvxOffset = 576, AvxSize = 256;
    /// <summary>Size of the image with the AVX component (CPUID.0Dh reports it).</summary>
    public const int SizeWithAvx = AvxOffset + AvxSize;
    /// <summary>Size without it: legacy area and header.</summary>
    public const int SizeLegacy = AvxOffset;
    /// <summary>XCOMP_BV bit 63: the image is in the compacted format.</summary>
    public const ulong Compacted = 1UL << 63;

    /// <summary>Bytes of the legacy area belonging to the SSE component (MXCSR and its mask, XMM0-15); the rest of 0..159 is x87.</summary>
    static bool IsSseByte(int i) => i is >= 24 and < 32 or >= 160 and < 416;

    /// <summary>
    /// Writes the components in <paramref name="rfbm"/> to <paramref name="dst"/> (bytes of other components are left
    /// alone). MXCSR goes with SSE, and for the standard format (<paramref name="compacted"/> false) also with AVX, as
    /// the host CPU does.
    /// </summary>
    public static void SaveComponents(CpuState* s, byte* dst, ulong rfbm, bool compacted = false)
    {
        byte* fx = stackalloc byte[FxsaveArea.Size];
        FxsaveArea.Save(s, fx);
        bool x87 = (rfbm & X87) != 0, sse = (rfbm & Sse) != 0, mxcsr = (rfbm & (compacted ? Sse : Sse | Avx)) != 0;
        for (int i = 0; i < 416; i++)
        {
            bool isSse = IsSseByte(i);
            bool isMxcsr = i is >= 24 and < 32;
            if (isMxcsr ? mxcsr : isSse ? sse : x87) dst[i] = fx[i];
        }
        if ((rfbm & Avx) != 0)
            for (int r = 0; r < 16; r++) Buffer.MemoryCopy(s->Xmm(r) + 16, dst + AvxOffset + r * 16, 16, 16);
    }

    /// <summary>
    /// Loads the components in <paramref name="rfbm"/> from <paramref name="src"/>: those whose XSTATE_BV bit is set
    /// from the image, the others to their initial state. Returns false (nothing changed) for a reserved MXCSR bit.
    /// </summary>
    public static bool RestoreComponents(CpuState* s, byte* src, ulong rfbm, ulong xstateBv)
    {
        byte* fx = stackalloc byte[FxsaveArea.Size];
        FxsaveArea.Save(s, fx);
        if ((rfbm & X87) != 0)
        {
            if ((xstateBv & X87) != 0)
            {
                for (int i = 0; i < 160; i++) if (!IsSseByte(i)) fx[i] = src[i];
            }
            else
            {
                for (int i = 0; i < 160; i++) if (!IsSseByte(i)) fx[i] = 0;
                Unsafe.WriteUnaligned(fx, (ushort)0x037F);
            }
        }
        // MXCSR is loaded whenever SSE or AVX is requested, whatever XSTATE_BV says.
        if ((rfbm & (Sse | Avx)) != 0) Unsafe.WriteUnaligned(fx + 24, Unsafe.ReadUnaligned<uint>(src + 24));
        if ((rfbm & Sse) != 0)
        {
            if ((xstateBv & Sse) != 0) Buffer.MemoryCopy(src + 160, fx + 160, 256, 256);
            else new Span<byte>(fx + 160, 256).Clear();
        }
        if (!FxsaveArea.Restore(s, fx)) return false;
        if ((rfbm & Avx) != 0)
            for (int r = 0; r < 16; r++)
            {
                if ((xstateBv & Avx) != 0) Buffer.MemoryCopy(src + AvxOffset + r * 16, s->Xmm(r) + 16, 16, 16);
                else new Span<byte>(s->Xmm(r) + 16, 16).Clear();
            }
        return true;
    }
}
