namespace UserEmu.Loader;

/// <summary>Human names for e_machine values, so a wrong-architecture error says what the file is.</summary>
internal static class ElfMachineNames
{
    /// <summary>The architecture name of an ELF machine/class pair, e.g. "AArch64", "i386", "RISC-V (32-bit)".</summary>
    public static string Describe(ushort machine, bool is64)
    {
        switch (machine)
        {
            case 2: case 18: return is64 ? "SPARC64" : "SPARC";
            case 3: return "i386";
            case 4: return "m68k";
            case 8: case 10: return is64 ? "MIPS64" : "MIPS";
            case 15: return is64 ? "PA-RISC 64" : "PA-RISC";
            case 20: return "PowerPC";
            case 21: return "PowerPC64";
            case 22: return is64 ? "s390x" : "s390";
            case 40: return "ARM";
            case 41: case 0x9026: return "Alpha";
            case 42: return "SuperH";
            case 43: return "SPARC64";
            case 50: return "IA-64";
            case 62: return is64 ? "x86-64" : "x32";
            case 92: return "OpenRISC";
            case 164: return "Hexagon";
            case 183: return is64 ? "AArch64" : "AArch64 (ILP32)";
            case 189: return "MicroBlaze";
            case 243: return is64 ? "RISC-V" : "RISC-V (32-bit)";
            case 247: return "eBPF";
            case 258: return is64 ? "LoongArch" : "LoongArch (32-bit)";
            case 0: return "no particular machine";
        }
        // ELFSharp knows the long tail of gABI machine names.
        var e = (ELFSharp.ELF.Machine)machine;
        return Enum.IsDefined(e) ? e.ToString() : $"machine {machine}";
    }
}
