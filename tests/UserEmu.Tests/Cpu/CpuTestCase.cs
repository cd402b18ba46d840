using System.Runtime.InteropServices;
using System.Text;
using Iced.Intel;

namespace UserEmu.Tests.Cpu;

/// <summary>Fixed guest/host addresses shared by the native harness and the emulator side of the differential tester.</summary>
public static class CpuTestLayout
{
    /// <summary>One RWX page holding the instruction bytes followed by a jump out.</summary>
    public const ulong CodeBase = 0x7000_0000;
    /// <summary>The data window: <see cref="DataPages"/> pages whose protection each case chooses, then a PROT_NONE guard page.</summary>
    public const ulong DataBase = 0x7010_0000;
    public const int DataPages = 2;
    public const int PageSize = 4096;
    public const int DataSize = DataPages * PageSize;
    public const ulong GuardPage = DataBase + DataSize;
    /// <summary>Length of the trailer after the instruction bytes: jmp qword ptr [rip+0]; .quad target.</summary>
    public const int TrailerLength = 14;
}

/// <summary>Register, flag and signal state of one side of a differential run, laid out as the C harness's struct cpu (944 bytes).</summary>
[StructLayout(LayoutKind.Sequential, Size = 944)]
public unsafe struct CpuSnapshot
{
    public fixed ulong Gpr[16];
    public ulong Rflags;
    /// <summary>After a normal run: the address just past the instruction bytes; after a signal: the faulting RIP.</summary>
    public ulong Rip;
    public fixed byte Xmm[256];
    public uint Mxcsr;
    public int Signal;
    public int SiCode;
    public int Pad;
    public ulong SiAddr;
    public ulong GsBase;
    /// <summary>x87 state as an FXSAVE image (offset 432): loaded before XMM/MXCSR, compared by <see cref="X87Snapshot"/>.</summary>
    public fixed byte Fx[512];

    public static readonly string[] GprNames =
        ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"];

    public readonly string Format()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 16; i++) sb.Append($"{GprNames[i]}={Gpr[i]:x} ");
        sb.Append($"rflags={Rflags:x} rip={Rip:x}");
        if (Signal != 0) sb.Append($" signal={Signal} code={SiCode} addr={SiAddr:x}");
        var copy = this;
        if (copy.Fx[0] != 0 || copy.Fx[1] != 0) sb.Append(' ').Append(X87Snapshot.Describe(&copy));
        return sb.ToString();
    }
}

/// <summary>One instruction (or short sequence) to run natively and under UserEmu from the same initial state.</summary>
public sealed class CpuTestCase
{
    /// <summary>Instruction bytes, placed at <see cref="CpuTestLayout.CodeBase"/>.</summary>
    public required byte[] Code { get; init; }
    /// <summary>The (first) instruction, decoded at CodeBase; flag rules and messages use it.</summary>
    public required Instruction Insn { get; init; }
    public CpuSnapshot Initial;
    /// <summary>Initial content of the start of the data window (the rest is zero); it is also what gets compared.</summary>
    public required byte[] Data { get; init; }
    /// <summary>Per data page: bit 0 readable, bit 1 writable.</summary>
    public byte[] PageProt { get; init; } = [3, 3];
    /// <summary>Which RFLAGS bits to compare after a normal completion (null: the rules of <see cref="FlagRules"/>).</summary>
    public ulong? FlagMask { get; set; }
    /// <summary>Fault addresses the manuals leave open for this case: a fault matches when both sides report one of them.</summary>
    public ulong[]? SiAddrChoices { get; set; }
    /// <summary>Bits of the data window left out of the comparison, by offset: results the manuals leave to the implementation.</summary>
    public Dictionary<int, byte>? IgnoredData { get; private set; }

    /// <summary>Leaves <paramref name="bits"/> of each of <paramref name="length"/> bytes at <paramref name="address"/> (a data-window address) out of the comparison.</summary>
    public void IgnoreData(ulong address, int length, byte bits = 0xff)
    {
        IgnoredData ??= new();
        for (int k = 0; k < length; k++)
        {
            int at = (int)(address - CpuTestLayout.DataBase) + k;
            IgnoredData[at] = (byte)(IgnoredData.GetValueOrDefault(at) | bits);
        }
    }

    public string Describe()
    {
        var f = new GasFormatter();
        var o = new StringOutput();
        f.Format(Insn, o);
        return $"{o.ToStringAndReset()}  [{Convert.ToHexString(Code).ToLowerInvariant()}]";
    }
}

/// <summary>What one side produced for a case: final state and the data window.</summary>
public sealed class CpuResult
{
    public CpuSnapshot State;
    public required byte[] Data { get; init; }
}
