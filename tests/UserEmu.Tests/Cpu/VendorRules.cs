using Iced.Intel;

namespace UserEmu.Tests.Cpu;

/// <summary>
/// Results Intel and AMD hosts give differently where the manuals leave the choice open: the differential comparison
/// accepts either vendor's answer there (UserEmu models the Intel one).
/// </summary>
public static unsafe class VendorRules
{
    const int RCX = 1, RSI = 6, RDI = 7;

    /// <summary>
    /// rep string instructions with 0x67: Intel writes ECX (and the movs/stos pointers) as 32-bit registers on entry,
    /// clearing their upper halves even when no element completes (ECX 0, or the first element faults); AMD leaves them
    /// alone then. The low halves must agree; each upper half may be the initial one or zero.
    /// </summary>
    public static bool UpperHalfEither(CpuTestCase c, int reg, ulong cpu, ulong emu)
    {
        var insn = c.Insn;
        if (reg is not (RCX or RSI or RDI) || !insn.IsStringInstruction || !(insn.HasRepPrefix || insn.HasRepnePrefix)) return false;
        bool addr32 = false;
        for (int i = 0; i < insn.OpCount; i++) addr32 |= insn.GetOpKind(i) is OpKind.MemorySegESI or OpKind.MemoryESEDI;
        ulong initialHigh = c.Initial.Gpr[reg] >> 32;
        bool Either(ulong v) => v >> 32 == 0 || v >> 32 == initialHigh;
        return addr32 && (uint)cpu == (uint)emu && Either(cpu) && Either(emu);
    }

    /// <summary>
    /// vcvtps2ph to memory whose store faults: Intel has already set the MXCSR exception flags of the conversion, AMD
    /// leaves MXCSR as it was. Accepts the host's unchanged MXCSR against UserEmu's flags.
    /// </summary>
    public static bool MxcsrEither(CpuTestCase c, in CpuSnapshot cpu, in CpuSnapshot emu) =>
        cpu.Signal != 0 && c.Insn.Mnemonic == Mnemonic.Vcvtps2ph && c.Insn.Op0Kind == OpKind.Memory
        && cpu.Mxcsr == c.Initial.Mxcsr && ((cpu.Mxcsr ^ emu.Mxcsr) & ~0x3fu) == 0;

    /// <summary>
    /// RFLAGS bits not to compare after a fault: a rep cmps/scas that faults after some elements (RCX moved) leaves the
    /// arithmetic flags as on entry on Intel (as UserEmu does) but as the last completed compare set them on AMD.
    /// </summary>
    public static ulong UncomparedAfterFault(CpuTestCase c, in CpuSnapshot cpu)
    {
        var insn = c.Insn;
        bool repCompare = insn.IsStringInstruction && (insn.HasRepePrefix || insn.HasRepnePrefix)
            && insn.Mnemonic is Mnemonic.Cmpsb or Mnemonic.Cmpsw or Mnemonic.Cmpsd or Mnemonic.Cmpsq
                or Mnemonic.Scasb or Mnemonic.Scasw or Mnemonic.Scasd or Mnemonic.Scasq;
        return cpu.Signal != 0 && repCompare && cpu.Gpr[RCX] != c.Initial.Gpr[RCX]
            ? FlagRules.CF | FlagRules.PF | FlagRules.AF | FlagRules.ZF | FlagRules.SF | FlagRules.OF
            : 0;
    }
}
