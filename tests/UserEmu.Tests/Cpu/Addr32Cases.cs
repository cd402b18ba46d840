using Iced.Intel;
using static UserEmu.Tests.Cpu.CpuTestLayout;

namespace UserEmu.Tests.Cpu;

/// <summary>
/// 0x67 (32-bit address size) variants of generated cases: the memory operand's registers become their 32-bit
/// halves, with garbage in the high halves and displacements that wrap at 4 GiB, so that a missing truncation shows.
/// </summary>
/// <remarks>
/// The data window lies below 4 GiB (<see cref="DataBase"/>), so the truncated address is the case's own: the base
/// register keeps its low 32 bits minus a random amount that the displacement adds back modulo 2^32, and the index
/// register gets random high bits; now and then a GS prefix with a GS base takes part of the address. String
/// instructions, loop and jecxz have no ModRM operand: see <see cref="Strings"/> and <see cref="Loops"/>.
/// </remarks>
public static unsafe class Addr32Cases
{
    /// <summary>The case with its first instruction's memory operand in 32-bit addressing, or null if it has none to rewrite.</summary>
    public static CpuTestCase? Rewrite(CpuTestCase c, Random rng)
    {
        var insn = c.Insn;
        int mem = -1;
        for (int n = 0; n < insn.OpCount; n++)
            if (insn.GetOpKind(n) == OpKind.Memory) mem = n;
        if (mem < 0 || insn.MemoryBase is Register.RIP or Register.RSP || insn.MemoryBase.GetSize() != 8 && insn.MemoryBase != Register.None)
            return null;
        if (insn.MemoryIndex != Register.None && insn.MemoryIndex.GetSize() != 8) return null;
        int oldLength = insn.Length;
        var state = c.Initial;
        uint disp = (uint)insn.MemoryDisplacement64;
        Register b = insn.MemoryBase, x = insn.MemoryIndex;
        if (b != Register.None)
        {
            int bi = b - Register.RAX;
            // Move part of the base into the displacement, modulo 2^32 (the 64-bit sum would carry out of bit 31).
            uint shift = rng.Next(2) == 0 ? (uint)rng.NextInt64() : 0;
            uint low = (uint)state.Gpr[bi] - shift;
            disp += shift;
            state.Gpr[bi] = Garbage(rng) | low;
            if (x == Register.None && rng.Next(5) == 0)
            {
                // [base + disp] as [base*1 + disp32]: the SIB form without a base.
                insn.MemoryBase = Register.None;
                insn.MemoryIndex = Register.EAX + bi;
                insn.MemoryIndexScale = 1;
            }
            else insn.MemoryBase = Register.EAX + bi;
        }
        if (x != Register.None)
        {
            int xi = x - Register.RAX;
            state.Gpr[xi] = Garbage(rng) | (uint)state.Gpr[xi];
            insn.MemoryIndex = Register.EAX + xi;
        }
        if (insn.SegmentPrefix == Register.None && rng.Next(6) == 0)
        {
            // A GS base is added to the 32-bit address after its truncation, in 64 bits.
            ulong gs = (ulong)rng.Next(1, 0x7000) << 12;
            insn.SegmentPrefix = Register.GS;
            state.GsBase = gs;
            disp -= (uint)gs;
        }
        insn.MemoryDisplacement64 = disp;
        insn.MemoryDisplSize = disp == 0 && insn.MemoryBase != Register.None ? 0 : (int)disp == (sbyte)disp && insn.MemoryBase != Register.None ? 1 : 4;
        var first = InstructionFuzzer.Encode(insn);
        if (first == null) return null;
        byte[] code = [.. first, .. c.Code.AsSpan(oldLength)];
        return new CpuTestCase
        {
            Code = code, Insn = InstructionFuzzer.Decode(code), Initial = state, Data = c.Data, PageProt = c.PageProt, FlagMask = c.FlagMask,
        };
    }

    /// <summary>High halves for address registers: mostly random, sometimes zero or all ones.</summary>
    static ulong Garbage(Random rng) => rng.Next(6) switch
    {
        0 => 0,
        1 => 0xFFFF_FFFF_0000_0000,
        _ => (ulong)(uint)rng.Next(1, int.MaxValue) << 32 | (ulong)rng.Next(2) << 63,
    };

    /// <summary>Adds the 0x67 variant of every case of <paramref name="source"/> that has a memory operand.</summary>
    public static void AddRewritten(DifferentialTester target, DifferentialTester source)
    {
        target.Ungenerated.AddRange(source.Ungenerated);
        foreach (var c in source.Cases)
            if (Rewrite(c, target.Rng) is { } r) target.Add(r);
    }

    /// <summary>movs/stos/lods/scas/cmps of every size, alone or with rep/repe/repne, with 64- or 32-bit addressing.</summary>
    /// <remarks>
    /// RSI/RDI point into the data window (low halves; high halves garbage with 0x67), RCX is a small count (high half
    /// garbage with 0x67); cmps/scas often meet equal data so repe runs on. DF is random, so pointers move both ways.
    /// </remarks>
    public static void Strings(DifferentialTester t, int perForm)
    {
        var fuzz = t.Fuzzer;
        var rng = t.Rng;
        Code[] forms =
        [
            Code.Movsb_m8_m8, Code.Movsw_m16_m16, Code.Movsd_m32_m32, Code.Movsq_m64_m64,
            Code.Stosb_m8_AL, Code.Stosw_m16_AX, Code.Stosd_m32_EAX, Code.Stosq_m64_RAX,
            Code.Lodsb_AL_m8, Code.Lodsw_AX_m16, Code.Lodsd_EAX_m32, Code.Lodsq_RAX_m64,
            Code.Scasb_AL_m8, Code.Scasw_AX_m16, Code.Scasd_EAX_m32, Code.Scasq_RAX_m64,
            Code.Cmpsb_m8_m8, Code.Cmpsw_m16_m16, Code.Cmpsd_m32_m32, Code.Cmpsq_m64_m64,
        ];
        foreach (var code in forms)
            foreach (int addressSize in (int[])[64, 32])
                foreach (var rep in (RepPrefixKind[])[RepPrefixKind.None, RepPrefixKind.Repe, RepPrefixKind.Repne])
                {
                    bool compares = code.Mnemonic() is Mnemonic.Scasb or Mnemonic.Scasw or Mnemonic.Scasd or Mnemonic.Scasq
                        or Mnemonic.Cmpsb or Mnemonic.Cmpsw or Mnemonic.Cmpsd or Mnemonic.Cmpsq;
                    if (rep == RepPrefixKind.Repne && !compares) continue;
                    for (int k = 0; k < perForm; k++) t.Add(StringCase(fuzz, rng, code, addressSize, rep));
                }
    }

    static CpuTestCase StringCase(InstructionFuzzer fuzz, Random rng, Code code, int addressSize, RepPrefixKind rep)
    {
        var insn = code.Mnemonic() switch
        {
            Mnemonic.Movsb or Mnemonic.Movsw or Mnemonic.Movsd or Mnemonic.Movsq => Instruction.CreateMovsb(addressSize, Register.None, rep),
            Mnemonic.Stosb or Mnemonic.Stosw or Mnemonic.Stosd or Mnemonic.Stosq => Instruction.CreateStosb(addressSize, rep),
            Mnemonic.Lodsb or Mnemonic.Lodsw or Mnemonic.Lodsd or Mnemonic.Lodsq => Instruction.CreateLodsb(addressSize, Register.None, rep),
            Mnemonic.Scasb or Mnemonic.Scasw or Mnemonic.Scasd or Mnemonic.Scasq => Instruction.CreateScasb(addressSize, rep),
            _ => Instruction.CreateCmpsb(addressSize, Register.None, rep),
        };
        // The Create helpers give the byte form; the other sizes differ in the code and the accumulator.
        int size = code.ToString().Contains("m16") ? 2 : code.ToString().Contains("m32") ? 4 : code.ToString().Contains("m64") ? 8 : 1;
        insn.Code = code;
        var acc = size switch { 1 => Register.AL, 2 => Register.AX, 4 => Register.EAX, _ => Register.RAX };
        for (int n = 0; n < insn.OpCount; n++)
            if (insn.GetOpKind(n) == OpKind.Register) insn.SetOpRegister(n, acc);
        var s = fuzz.RandomState();
        ulong high = addressSize == 32 ? Garbage(rng) : 0;
        ulong si = DataBase + 0x200 + (ulong)rng.Next(0x100), di = DataBase + 0x200 + (ulong)rng.Next(0x100);
        if (rng.Next(3) == 0) di = si + (ulong)(rng.Next(-4, 5) * size); // overlapping copies
        s.Gpr[6] = high | si;
        s.Gpr[7] = (addressSize == 32 ? Garbage(rng) : 0) | di;
        ulong count = rng.Next(4) == 0 ? 0 : (ulong)rng.Next(1, 24);
        s.Gpr[1] = (addressSize == 32 ? Garbage(rng) : rng.Next(8) == 0 ? 1UL << 32 : 0) | count;
        var data = fuzz.RandomData(1024);
        if (rng.Next(2) == 0)
        {
            // Equal runs for repe: the destination area copies the source area, with an occasional difference.
            int from = (int)(si - DataBase) - 0xC0, to = (int)(di - DataBase) - 0xC0;
            if (from != to) Array.Copy(data, from, data, to, 0x180);
            if (rng.Next(2) == 0) data[to + 0xC0 + rng.Next(-0x60, 0x60)] ^= 1;
            s.Gpr[0] = rng.Next(2) == 0 ? BitConverter.ToUInt64(data, (int)(di - DataBase)) : s.Gpr[0];
        }
        return fuzz.Finish(insn, s, data, new FuzzOptions { ReadOnlyChance = 0.1 })!;
    }

    /// <summary>loop/loope/loopne/jecxz/jrcxz with and without 0x67, taken or not: the taken branch skips a mov r15, imm64.</summary>
    public static void Loops(DifferentialTester t, int perForm)
    {
        var rng = t.Rng;
        (byte[] Op, string Name)[] forms =
        [
            ([0xE2], "loop"), ([0x67, 0xE2], "loop ecx"), ([0xE1], "loope"), ([0x67, 0xE1], "loope ecx"),
            ([0xE0], "loopne"), ([0x67, 0xE0], "loopne ecx"), ([0xE3], "jrcxz"), ([0x67, 0xE3], "jecxz"),
        ];
        byte[] skipped = [0x49, 0xBF, 1, 2, 3, 4, 5, 6, 7, 8]; // mov r15, 0x0807060504030201
        foreach (var (op, _) in forms)
            for (int k = 0; k < perForm; k++)
            {
                byte[] code = [.. op, (byte)skipped.Length, .. skipped];
                var s = t.Fuzzer.RandomState();
                ulong low = rng.Next(3) switch { 0 => 0, 1 => 1, _ => (ulong)rng.Next(2, 5) };
                s.Gpr[1] = rng.Next(3) == 0 ? low : Garbage(rng) | low;
                t.Add(new CpuTestCase { Code = code, Insn = InstructionFuzzer.Decode(code), Initial = s, Data = t.Fuzzer.RandomData(64) });
            }
    }
}
