namespace UserEmu.Cpu.X86;

/// <summary>The CPU the guest is told it runs on: CPUID leaves, and from them AT_HWCAP and /proc/cpuinfo flags.</summary>
/// <remarks>Only features the emulator implements may be advertised: glibc's ifunc resolvers pick code paths from these bits.</remarks>
public sealed class CpuModel
{
    public string Name { get; }
    public string Description { get; }
    readonly uint _leaf1Ecx, _leaf1Edx, _leaf7Ebx, _leaf7Ecx, _ext1Ecx, _ext1Edx;

    // CPUID.1:EDX bits.
    const uint FPU = 1 << 0, TSC = 1 << 4, CX8 = 1 << 8, CMOV = 1 << 15, MMX = 1 << 23, FXSR = 1 << 24, SSE = 1 << 25, SSE2 = 1 << 26;
    // CPUID.1:ECX bits.
    const uint SSE3 = 1 << 0, PCLMUL = 1 << 1, SSSE3 = 1 << 9, CX16 = 1 << 13, SSE41 = 1 << 19, SSE42 = 1 << 20,
        FMA = 1 << 12, MOVBE = 1 << 22, POPCNT = 1 << 23, AES = 1 << 25, XSAVE = 1 << 26, OSXSAVE = 1 << 27, AVX = 1 << 28,
        F16C = 1 << 29, RDRAND = 1u << 30;
    // CPUID.7.0:EBX bits.
    const uint BMI1 = 1 << 3, AVX2 = 1 << 5, BMI2 = 1 << 8, RDSEED = 1 << 18, ADX = 1 << 19;
    // CPUID.80000001h bits.
    const uint LAHF = 1 << 0, ABM = 1 << 5, SYSCALL = 1 << 11, NX = 1 << 20, RDTSCP = 1 << 27, LM = 1 << 29;
    const uint V1Edx = FPU | TSC | CX8 | CMOV | MMX | FXSR | SSE | SSE2;
    const uint V2Ecx = SSE3 | SSSE3 | SSE41 | SSE42 | POPCNT | CX16;
    const uint V3Ecx = FMA | MOVBE | XSAVE | OSXSAVE | AVX | F16C, V3Ebx7 = BMI1 | AVX2 | BMI2;

    CpuModel(string name, string description, uint ecx1, uint edx1, uint ebx7, uint ecx7, uint ecxExt, uint edxExt)
    {
        Name = name;
        Description = description;
        _leaf1Ecx = ecx1;
        _leaf1Edx = edx1;
        _leaf7Ebx = ebx7;
        _leaf7Ecx = ecx7;
        _ext1Ecx = ecxExt;
        _ext1Edx = edxExt;
    }

    /// <summary>x86-64 baseline (psABI level v1): SSE2, CMOV, CX8, FXSR, MMX.</summary>
    /// <remarks>MMX is part of the baseline: glibc's ld.so refuses to load a libc built for x86-64 ("CPU ISA level is lower than required") without it.</remarks>
    public static readonly CpuModel Baseline = new("x86-64", "x86-64 baseline (psABI x86-64-v1: SSE2)",
        0, V1Edx, 0, 0, 0, SYSCALL | NX | LM);

    /// <summary>psABI level v2: SSE3, SSSE3, SSE4.1, SSE4.2, POPCNT, CMPXCHG16B, LAHF/SAHF.</summary>
    public static readonly CpuModel V2 = new("x86-64-v2", "psABI x86-64-v2 (SSE4.2, POPCNT, CX16)",
        V2Ecx, V1Edx, 0, 0, LAHF, SYSCALL | NX | LM);

    /// <summary>psABI level v3: v2 plus AVX, AVX2, FMA, F16C, BMI1/2, LZCNT, MOVBE and XSAVE (enabled by the OS: OSXSAVE, XCR0 with AVX).</summary>
    public static readonly CpuModel V3 = new("x86-64-v3", "psABI x86-64-v3 (AVX2, FMA, F16C, BMI1/2, LZCNT, MOVBE, XSAVE)",
        V2Ecx | V3Ecx, V1Edx, V3Ebx7, 0, LAHF | ABM, SYSCALL | NX | LM);

    /// <summary>Everything UserEmu implements: v3 plus AES-NI, PCLMULQDQ, ADX, RDRAND/RDSEED, RDTSCP (never AVX-512).</summary>
    public static readonly CpuModel Max = new("max", "every feature UserEmu implements: x86-64-v3 + AES, PCLMULQDQ, ADX, RDRAND, RDSEED, RDTSCP",
        V2Ecx | V3Ecx | PCLMUL | AES | RDRAND, V1Edx, V3Ebx7 | ADX | RDSEED, 0, LAHF | ABM, SYSCALL | NX | RDTSCP | LM);

    /// <summary>All models a user can choose with -cpu, best first.</summary>
    public static IReadOnlyList<CpuModel> All { get; } = [Max, V3, V2, Baseline];

    /// <summary>As qemu's "-cpu max": guests pick their fastest code paths among what is implemented.</summary>
    public static CpuModel Default => Max;

    public static CpuModel? Find(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>AT_HWCAP on x86-64 is CPUID.1:EDX.</summary>
    public ulong HwCap => _leaf1Edx;
    /// <summary>AT_HWCAP2 (ring-3 FSGSBASE and friends): none advertised.</summary>
    public ulong HwCap2 => 0;

    /// <summary>CPUID for leaf <paramref name="leaf"/> / subleaf <paramref name="sub"/>.</summary>
    public (uint Eax, uint Ebx, uint Ecx, uint Edx) Cpuid(uint leaf, uint sub)
    {
        switch (leaf)
        {
            case 0: return (0xD, Str("Genu"), Str("ntel"), Str("ineI"));
            // Family 6; one logical processor reported per package (topology is not emulated).
            case 1: return (0x000306A9, 0x00010800, _leaf1Ecx, _leaf1Edx);
            case 7 when sub == 0: return (0, _leaf7Ebx, _leaf7Ecx, 0);
            case 0xD when HasXsave: return XsaveLeaf(sub);
            case 0x80000000: return (0x80000008, 0, 0, 0);
            case 0x80000001: return (0, 0, _ext1Ecx, _ext1Edx);
            case >= 0x80000002 and <= 0x80000004:
            {
                var brand = "UserEmu x86-64 virtual CPU".PadRight(48, '\0');
                int o = (int)(leaf - 0x80000002) * 16;
                return (Str(brand, o), Str(brand, o + 4), Str(brand, o + 8), Str(brand, o + 12));
            }
            case 0x80000008: return (0x00003028, 0, 0, 0); // 48-bit virtual, 40-bit physical addresses
            default: return (0, 0, 0, 0);
        }
    }

    /// <summary>Whether xsave/xrstor/xgetbv are advertised (CPUID.1:ECX.XSAVE and OSXSAVE: the OS has enabled them).</summary>
    public bool HasXsave => (_leaf1Ecx & XSAVE) != 0;
    /// <summary>Whether the AVX state (YMM upper halves) is advertised and enabled.</summary>
    public bool HasAvx => (_leaf1Ecx & AVX) != 0;

    /// <summary>XCR0 as the kernel sets it: x87 and SSE, plus AVX when the model has it.</summary>
    public ulong Xcr0 => HasAvx ? XsaveArea.X87 | XsaveArea.Sse | XsaveArea.Avx : XsaveArea.X87 | XsaveArea.Sse;

    /// <summary>CPUID.0Dh: the XSAVE components and image sizes, as hardware reports them for the standard format.</summary>
    (uint, uint, uint, uint) XsaveLeaf(uint sub)
    {
        uint size = (uint)(HasAvx ? XsaveArea.SizeWithAvx : XsaveArea.SizeLegacy);
        return sub switch
        {
            // Supported XCR0 bits, size for the enabled XCR0, size for every supported component.
            0 => ((uint)Xcr0, size, size, 0),
            // XSAVEOPT, XSAVEC, XGETBV with ECX=1 (no XSAVES); compacted size of XCR0's components.
            1 => (0b111, size, 0, 0),
            2 when HasAvx => (XsaveArea.AvxSize, XsaveArea.AvxOffset, 0, 0),
            _ => (0, 0, 0, 0),
        };
    }

    static uint Str(string s, int offset = 0) =>
        (uint)s[offset] | (uint)s[offset + 1] << 8 | (uint)s[offset + 2] << 16 | (uint)s[offset + 3] << 24;

    /// <summary>Feature flags as /proc/cpuinfo lists them.</summary>
    public IEnumerable<string> Flags()
    {
        (uint bits, int bit, string name)[] table =
        [
            (_leaf1Edx, 0, "fpu"), (_leaf1Edx, 4, "tsc"), (_leaf1Edx, 8, "cx8"), (_leaf1Edx, 15, "cmov"), (_leaf1Edx, 23, "mmx"), (_leaf1Edx, 24, "fxsr"),
            (_leaf1Edx, 25, "sse"), (_leaf1Edx, 26, "sse2"), (_ext1Edx, 11, "syscall"), (_ext1Edx, 20, "nx"), (_ext1Edx, 29, "lm"),
            (_leaf1Ecx, 0, "pni"), (_leaf1Ecx, 1, "pclmulqdq"), (_leaf1Ecx, 9, "ssse3"), (_leaf1Ecx, 13, "cx16"),
            (_leaf1Ecx, 19, "sse4_1"), (_leaf1Ecx, 20, "sse4_2"), (_leaf1Ecx, 22, "movbe"), (_leaf1Ecx, 23, "popcnt"),
            (_leaf1Ecx, 25, "aes"), (_leaf1Ecx, 26, "xsave"), (_leaf1Ecx, 28, "avx"), (_leaf1Ecx, 12, "fma"), (_leaf1Ecx, 29, "f16c"),
            (_leaf1Ecx, 30, "rdrand"), (_leaf7Ebx, 5, "avx2"), (_ext1Ecx, 0, "lahf_lm"), (_ext1Ecx, 5, "abm"),
            (_ext1Edx, 27, "rdtscp"), (_leaf7Ebx, 3, "bmi1"), (_leaf7Ebx, 8, "bmi2"), (_leaf7Ebx, 18, "rdseed"), (_leaf7Ebx, 19, "adx"),
        ];
        foreach (var (bits, bit, name) in table)
            if ((bits >> bit & 1) != 0) yield return name;
        if (HasXsave)
            foreach (var name in (string[])["xsaveopt", "xsavec", "xgetbv1"]) yield return name;
    }
}
