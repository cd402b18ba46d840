using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using UserEmu.Engine;
using static UserEmu.Cpu.X86.PackedLanes;

namespace UserEmu.Cpu.X86;

/// <summary>Packed integer data rearrangement: pack with saturation, word and byte shuffles, blends, sign/zero extension (unpack, pshufd and palignr are lowered to IR).</summary>
[UserEmu.IR.VectorStateOnly]
public static class ShuffleHelpers
{
    // pack*: narrow dst (low half of the result) and src (high half) with saturation.
    public static ulong Packsswb(Vcpu c, ulong a, ulong b, long imm)
    {
        D<sbyte>(c, imm) = Vector128.NarrowWithSaturation(D<short>(c, imm), S<short>(c, imm));
        return 0;
    }

    public static ulong Packssdw(Vcpu c, ulong a, ulong b, long imm)
    {
        D<short>(c, imm) = Vector128.NarrowWithSaturation(D<int>(c, imm), S<int>(c, imm));
        return 0;
    }

    /// <summary>Signed words to unsigned bytes: clamp to 0..255, then narrow.</summary>
    public static ulong Packuswb(Vcpu c, ulong a, ulong b, long imm)
    {
        var lo = Vector128.Clamp(D<short>(c, imm), Vector128<short>.Zero, Vector128.Create((short)255)).AsUInt16();
        var hi = Vector128.Clamp(S<short>(c, imm), Vector128<short>.Zero, Vector128.Create((short)255)).AsUInt16();
        D<byte>(c, imm) = Vector128.Narrow(lo, hi);
        return 0;
    }

    public static ulong Packusdw(Vcpu c, ulong a, ulong b, long imm)
    {
        var lo = Vector128.Clamp(D<int>(c, imm), Vector128<int>.Zero, Vector128.Create(65535)).AsUInt32();
        var hi = Vector128.Clamp(S<int>(c, imm), Vector128<int>.Zero, Vector128.Create(65535)).AsUInt32();
        D<ushort>(c, imm) = Vector128.Narrow(lo, hi);
        return 0;
    }

    /// <summary>pshuflw (Extra 0) / pshufhw (Extra 4): shuffle the words of one half, copy the other half.</summary>
    public static ulong PshufHalfWords(Vcpu c, ulong a, ulong b, long imm)
    {
        int sel = VectorHelpers.Imm8(imm), at = VectorHelpers.Extra(imm);
        var s = S<ushort>(c, imm);
        var r = s;
        for (int i = 0; i < 4; i++) Lane(ref r, at + i) = s[at + (sel >> (2 * i) & 3)];
        D<ushort>(c, imm) = r;
        return 0;
    }

    /// <summary>pshufb: byte i of dst = src[i] bit 7 ? 0 : dst[src[i] &amp; 15].</summary>
    public static ulong Pshufb(Vcpu c, ulong a, ulong b, long imm)
    {
        ref var d = ref D<byte>(c, imm);
        // Indices with bit 7 set stay >= 16, which Vector128.Shuffle turns into 0.
        d = Vector128.Shuffle(d, S<byte>(c, imm) & Vector128.Create((byte)0x8f));
        return 0;
    }

    /// <summary>pblendw: word i from src where imm8 bit i is set.</summary>
    public static ulong Pblendw(Vcpu c, ulong a, ulong b, long imm)
    {
        int sel = VectorHelpers.Imm8(imm);
        var mask = Vector128.Create((ushort)1, 2, 4, 8, 16, 32, 64, 128) & Vector128.Create((ushort)sel);
        ref var d = ref D<ushort>(c, imm);
        d = Vector128.ConditionalSelect(Vector128.Equals(mask, Vector128<ushort>.Zero), d, S<ushort>(c, imm));
        return 0;
    }

    /// <summary>pblendvb: byte i from src where bit 7 of XMM0 byte i is set.</summary>
    public static ulong Pblendvb(Vcpu c, ulong a, ulong b, long imm)
    {
        var sel = Vector128.ShiftRightArithmetic(R<sbyte>(c, 0), 7).AsByte();
        ref var d = ref D<byte>(c, imm);
        d = Vector128.ConditionalSelect(sel, S<byte>(c, imm), d);
        return 0;
    }

    /// <summary>Extra for <see cref="Extend"/>: source and result lane sizes in bytes, and signedness.</summary>
    public static int ExtendKind(int from, int to, bool signed) => from | to << 4 | (signed ? 0x100 : 0);

    /// <summary>pmovsx*/pmovzx*: the low lanes of src sign- or zero-extended to wider lanes.</summary>
    public static ulong Extend(Vcpu c, ulong a, ulong b, long imm)
    {
        int kind = VectorHelpers.Extra(imm);
        int from = kind & 15, to = kind >> 4 & 15;
        bool signed = (kind & 0x100) != 0;
        var s = S<byte>(c, imm);
        Vector128<byte> r = default;
        int shift = 64 - from * 8;
        for (int i = 0; i < 16 / to; i++)
        {
            ulong v = 0;
            for (int k = from - 1; k >= 0; k--) v = v << 8 | s[i * from + k];
            v = signed ? (ulong)((long)(v << shift) >> shift) : v;
            for (int k = 0; k < to; k++) Lane(ref r, i * to + k) = (byte)(v >> (8 * k));
        }
        D<byte>(c, imm) = r;
        return 0;
    }
}
