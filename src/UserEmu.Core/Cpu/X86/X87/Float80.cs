using System.Runtime.InteropServices;

namespace UserEmu.Cpu.X86.X87;

/// <summary>An x87 80-bit extended-precision value: sign, 15-bit biased exponent and a 64-bit significand with an explicit integer bit.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 2)]
public readonly struct Float80 : IEquatable<Float80>
{
    public readonly ulong Mant;
    /// <summary>Sign in bit 15, biased exponent in bits 0..14.</summary>
    public readonly ushort SignExp;

    public const int Bias = 16383;
    public const int MaxExp = 0x7FFF;
    public const ulong IntBit = 1UL << 63;
    public const ulong QuietBit = 1UL << 62;

    public Float80(ushort signExp, ulong mant)
    {
        SignExp = signExp;
        Mant = mant;
    }

    public Float80(bool sign, int exp, ulong mant) : this((ushort)((sign ? 0x8000 : 0) | (exp & 0x7FFF)), mant) { }

    public bool Sign => (SignExp & 0x8000) != 0;
    public int Exp => SignExp & 0x7FFF;

    public static readonly Float80 Zero = new(0, 0);
    public static readonly Float80 One = new(Bias, IntBit);
    /// <summary>The "real indefinite" QNaN the x87 returns for masked invalid operations.</summary>
    public static readonly Float80 Indefinite = new(0xFFFF, 0xC000_0000_0000_0000);

    public static Float80 Infinity(bool sign) => new(sign, MaxExp, IntBit);
    public static Float80 ZeroOf(bool sign) => new(sign, 0, 0);

    public bool IsZero => Exp == 0 && Mant == 0;
    /// <summary>Exponent field 0 with a non-zero significand (true denormals and pseudo-denormals).</summary>
    public bool IsDenormal => Exp == 0 && Mant != 0;
    public bool IsInf => Exp == MaxExp && Mant == IntBit;
    public bool IsNaN => Exp == MaxExp && (Mant & IntBit) != 0 && (Mant << 1) != 0;
    public bool IsSNaN => IsNaN && (Mant & QuietBit) == 0;
    public bool IsQNaN => IsNaN && (Mant & QuietBit) != 0;
    /// <summary>Encodings the 387 and later reject: unnormals, pseudo-infinities and pseudo-NaNs (exponent non-zero, integer bit clear).</summary>
    public bool IsUnsupported => Exp != 0 && (Mant & IntBit) == 0;

    public Float80 Negate() => new((ushort)(SignExp ^ 0x8000), Mant);
    public Float80 Abs() => new((ushort)(SignExp & 0x7FFF), Mant);
    public Float80 WithSign(bool sign) => new((ushort)((SignExp & 0x7FFF) | (sign ? 0x8000 : 0)), Mant);
    public Float80 Quiet() => new(SignExp, Mant | QuietBit);

    /// <summary>
    /// Unbiased exponent of the leading significand bit and the significand shifted so that bit 63 is set
    /// (for a finite non-zero value; denormals and pseudo-denormals are normalised).
    /// </summary>
    public int Normalized(out ulong sig)
    {
        int e = Exp == 0 ? 1 - Bias : Exp - Bias;
        int lz = System.Numerics.BitOperations.LeadingZeroCount(Mant);
        sig = Mant << lz;
        return e - lz;
    }

    public bool Equals(Float80 o) => Mant == o.Mant && SignExp == o.SignExp;
    public override bool Equals(object? obj) => obj is Float80 f && Equals(f);
    public override int GetHashCode() => HashCode.Combine(Mant, SignExp);
    public static bool operator ==(Float80 a, Float80 b) => a.Equals(b);
    public static bool operator !=(Float80 a, Float80 b) => !a.Equals(b);
    public override string ToString() => $"{SignExp:x4}:{Mant:x16}";
}
