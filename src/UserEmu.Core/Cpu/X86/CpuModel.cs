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
        MOVBE = 1 << 22, POPCNT = 1 << 23, AES = 1 << 25;
    // CPUID.80000001h bits.
    const uint LAHF = 1 << 0, ABM = 1 << 5, SYSCALL = 1 << 11, NX = 1 << 20, LM = 1 << 29;

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

    /// <summary>x86-64 baseline: SSE2, CMOV, CX8, FXSR, MMX, no later extensions.</summary>
    /// <remarks>
    /// MMX is advertised because it is part of the x86-64 baseline: glibc's ld.so refuses to load a libc built for
    /// x86-64 ("CPU ISA level is lower than required") on a CPU without it. Programs do not use MMX instructions in
    /// practice; should one, it gets SIGILL naming the instruction.
    /// </remarks>
    public static readonly CpuModel Baseline = new("x86-64", "x86-64 baseline (SSE2)",
        0, FPU | TSC | CX8 | CMOV | MMX | FXSR | SSE | SSE2, 0, 0, LAHF, SYSCALL | NX | LM);

    /// <summary>All models a user can choose with -cpu, best first; "max" is the first.</summary>
    public static IReadOnlyList<CpuModel> All { get; } = [Baseline];

    public static CpuModel Default => Baseline;

    public static CpuModel? Find(string name) =>
        name == "max" ? All[0] : All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>AT_HWCAP on x86-64 is CPUID.1:EDX.</summary>
    public ulong HwCap => _leaf1Edx;
    /// <summary>AT_HWCAP2 (ring-3 FSGSBASE and friends): none advertised.</summary>
    public ulong HwCap2 => 0;

    /// <summary>CPUID for leaf <paramref name="leaf"/> / subleaf <paramref name="sub"/>.</summary>
    public (uint Eax, uint Ebx, uint Ecx, uint Edx) Cpuid(uint leaf, uint sub)
    {
        switch (leaf)
        {
            case 0: return (7, Str("Genu"), Str("ntel"), Str("ineI"));
            // Family 6; one logical processor reported per package (topology is not emulated).
            case 1: return (0x000306A9, 0x00010800, _leaf1Ecx, _leaf1Edx);
            case 7 when sub == 0: return (0, _leaf7Ebx, _leaf7Ecx, 0);
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
            (_leaf1Ecx, 25, "aes"), (_ext1Ecx, 0, "lahf_lm"), (_ext1Ecx, 5, "abm"),
        ];
        foreach (var (bits, bit, name) in table)
            if ((bits >> bit & 1) != 0) yield return name;
    }
}
