using System.Runtime.Intrinsics.X86;

namespace UserEmu.Host;

/// <summary>Instruction-set extensions of the host CPU, read with CPUID, for machine code the native tier emits.</summary>
/// <remarks>
/// Not <c>Avx2.IsSupported</c>: a NativeAOT engine compiles that to the constant of its target instruction set
/// (the x86-64 baseline), whatever the host has.
/// </remarks>
public static class HostCpuFeatures
{
    /// <summary>AVX2, with the OS saving YMM state (CPUID.1:ECX.OSXSAVE and AVX, CPUID.7.0:EBX.AVX2).</summary>
    public static readonly bool Avx2 = DetectAvx2();

    /// <summary>POPCNT (CPUID.1:ECX bit 23).</summary>
    public static readonly bool Popcnt = X86Base.IsSupported && (X86Base.CpuId(1, 0).Ecx & (1 << 23)) != 0;

    /// <summary>LAHF and SAHF in 64-bit mode (CPUID.80000001H:ECX bit 0).</summary>
    public static readonly bool LahfSahf = X86Base.IsSupported && X86Base.CpuId(unchecked((int)0x80000000), 0).Eax >= unchecked((int)0x80000001)
        && (X86Base.CpuId(unchecked((int)0x80000001), 0).Ecx & 1) != 0;

    static bool DetectAvx2()
    {
        if (!X86Base.IsSupported) return false;
        var (_, _, ecx1, _) = X86Base.CpuId(1, 0);
        const int OsXsave = 1 << 27, Avx = 1 << 28;
        if ((ecx1 & (OsXsave | Avx)) != (OsXsave | Avx)) return false;
        var (_, ebx7, _, _) = X86Base.CpuId(7, 0);
        return (ebx7 & (1 << 5)) != 0;
    }
}
