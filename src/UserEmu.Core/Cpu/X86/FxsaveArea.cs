using System.Runtime.CompilerServices;

namespace UserEmu.Cpu.X86;

/// <summary>The 512-byte FXSAVE image of the x87/SSE state: used by fxsave/fxrstor and by signal frames (fpstate).</summary>
public static unsafe class FxsaveArea
{
    public const int Size = 512;
    public const uint MxcsrMask = 0xFFFF;

    /// <summary>Writes the state in FXSAVE (64-bit) layout; ST(i) are stored relative to TOP, as the CPU does.</summary>
    public static void Save(CpuState* s, byte* dst)
    {
        new Span<byte>(dst, Size).Clear();
        Unsafe.WriteUnaligned(dst + 0, s->Fcw);
        Unsafe.WriteUnaligned(dst + 2, (ushort)((s->Fsw & ~0x3800) | ((s->FpTop & 7) << 11)));
        dst[4] = (byte)s->FtwAbridged;
        Unsafe.WriteUnaligned(dst + 6, s->Fop);
        Unsafe.WriteUnaligned(dst + 8, s->FpIp);
        Unsafe.WriteUnaligned(dst + 16, s->FpDp);
        Unsafe.WriteUnaligned(dst + 24, s->Mxcsr);
        Unsafe.WriteUnaligned(dst + 28, MxcsrMask);
        for (int i = 0; i < 8; i++)
        {
            byte* src = s->St + ((s->FpTop + i) & 7) * 16;
            Buffer.MemoryCopy(src, dst + 32 + i * 16, 10, 10);
        }
        for (int i = 0; i < 16; i++) Buffer.MemoryCopy(s->Xmm(i), dst + 160 + i * 16, 16, 16);
    }

    /// <summary>Loads state from an FXSAVE image. Returns false (nothing changed) when MXCSR has reserved bits set (#GP).</summary>
    public static bool Restore(CpuState* s, byte* src)
    {
        uint mxcsr = Unsafe.ReadUnaligned<uint>(src + 24);
        if ((mxcsr & ~MxcsrMask) != 0) return false;
        // Reserved control-word bits read back as the CPU keeps them: bit 6 set, bits 7 and 13..15 clear.
        s->Fcw = (ushort)((Unsafe.ReadUnaligned<ushort>(src + 0) & 0x1F3F) | 0x40);
        ushort fsw = Unsafe.ReadUnaligned<ushort>(src + 2);
        s->FpTop = (fsw >> 11) & 7;
        s->Fsw = (ushort)(fsw & ~0x3800);
        // As fldenv, the CPU derives ES and B from the loaded flags and control word rather than taking them from the image.
        X87.X87Stack.UpdateSummary(s);
        s->FtwAbridged = src[4];
        s->Fop = Unsafe.ReadUnaligned<ushort>(src + 6);
        s->FpIp = Unsafe.ReadUnaligned<ulong>(src + 8);
        s->FpDp = Unsafe.ReadUnaligned<ulong>(src + 16);
        s->Mxcsr = mxcsr;
        for (int i = 0; i < 8; i++)
        {
            byte* dst = s->St + ((s->FpTop + i) & 7) * 16;
            Buffer.MemoryCopy(src + 32 + i * 16, dst, 10, 10);
        }
        for (int i = 0; i < 16; i++) Buffer.MemoryCopy(src + 160 + i * 16, s->Xmm(i), 16, 16);
        return true;
    }
}
