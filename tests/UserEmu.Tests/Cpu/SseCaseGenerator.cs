using Iced.Intel;
using static UserEmu.Tests.Cpu.CpuTestLayout;

namespace UserEmu.Tests.Cpu;

/// <summary>Random cases of SSE forms (XMM, general-register, memory and imm8 operands), which <see cref="InstructionFuzzer"/> does not generate.</summary>
/// <remarks>
/// Memory operands are 16-byte aligned unless <see cref="SseFuzzOptions.Misalign"/>; source lanes are often copies
/// of destination lanes or edge values, so that compares, saturation and min/max take every path.
/// </remarks>
public sealed unsafe class SseCaseGenerator(DifferentialTester t)
{
    static readonly int[] AddressRegs = [3, 5, 8, 9, 10, 11, 12, 13, 14, 15];
    static readonly byte[] EdgeBytes = [0, 1, 0x7f, 0x80, 0xff, 0xfe];

    Random Rng => t.Rng;

    /// <summary>Adds <paramref name="count"/> cases of each legacy form of the mnemonics (register forms and, when they have one, memory forms).</summary>
    public void AddAll(Mnemonic[] ms, int count, Func<CaseEditor, bool>? fixup = null, bool misalignedToo = true, double readOnlyChance = 0)
    {
        foreach (var code in DifferentialTester.FormsOf(ms).Where(c => c.ToOpCode().Encoding == EncodingKind.Legacy && !UsesMmx(c)))
        {
            Add(code, count, new SseFuzzOptions { Fixup = fixup });
            if (!HasMemory(code)) continue;
            Add(code, count, new SseFuzzOptions { Memory = true, Fixup = fixup, ReadOnlyChance = readOnlyChance });
            if (misalignedToo) Add(code, Math.Max(2, count / 3), new SseFuzzOptions { Memory = true, Misalign = true, Fixup = fixup });
        }
    }

    public void Add(Code code, int count, SseFuzzOptions o) => t.AddGenerated(code, count, () => TryGenerate(code, o));

    static bool UsesMmx(Code code)
    {
        var op = code.ToOpCode();
        for (int i = 0; i < op.OpCount; i++)
            if (op.GetOpKind(i) is OpCodeOperandKind.mm_reg or OpCodeOperandKind.mm_rm or OpCodeOperandKind.mm_or_mem) return true;
        return false;
    }

    static bool HasMemory(Code code)
    {
        var op = code.ToOpCode();
        for (int i = 0; i < op.OpCount; i++)
            if (op.GetOpKind(i) is OpCodeOperandKind.xmm_or_mem or OpCodeOperandKind.r32_or_mem or OpCodeOperandKind.r64_or_mem
                or OpCodeOperandKind.mem) return true;
        return false;
    }

    CpuTestCase? TryGenerate(Code code, SseFuzzOptions o)
    {
        var op = code.ToOpCode();
        var state = t.Fuzzer.RandomState();
        var taken = new HashSet<int> { 4 };
        var ops = new object[op.OpCount];
        ulong memAddr = 0;
        for (int i = 0; i < op.OpCount; i++)
        {
            object? v = op.GetOpKind(i) switch
            {
                OpCodeOperandKind.xmm_reg or OpCodeOperandKind.xmm_rm => Xmm(),
                OpCodeOperandKind.xmm_or_mem => o.Memory ? Mem(ref state, taken, o, out memAddr) : Xmm(),
                OpCodeOperandKind.r32_or_mem => o.Memory ? Mem(ref state, taken, o, out memAddr) : Gpr(4, taken),
                OpCodeOperandKind.r64_or_mem => o.Memory ? Mem(ref state, taken, o, out memAddr) : Gpr(8, taken),
                OpCodeOperandKind.mem => Mem(ref state, taken, o, out memAddr),
                OpCodeOperandKind.r32_reg or OpCodeOperandKind.r32_rm => Gpr(4, taken),
                OpCodeOperandKind.r64_reg or OpCodeOperandKind.r64_rm => Gpr(8, taken),
                OpCodeOperandKind.seg_rDI => Register.None, // implicit [rdi]: see Build
                OpCodeOperandKind.imm8 => Rng.Next(3) == 0 ? Rng.Next(0, 40) : Rng.Next(-128, 128),
                _ => null,
            };
            if (v == null) return null;
            ops[i] = v;
        }
        Instruction insn;
        try
        {
            insn = code == Code.Maskmovdqu_rDI_xmm_xmm
                ? Instruction.CreateMaskmovdqu(64, (Register)ops[1], (Register)ops[2])
                : InstructionFuzzer.Build(code, ops);
        }
        catch (ArgumentException)
        {
            return null;
        }
        var c = t.Fuzzer.Finish(insn, state, t.Fuzzer.RandomData(1024), new FuzzOptions { ReadOnlyChance = o.ReadOnlyChance });
        if (c == null) return null;
        MixLanes(c, memAddr);
        if (o.Fixup != null && !o.Fixup(new CaseEditor(c, Rng, memAddr))) return null;
        return c;
    }

    /// <summary>Makes the second operand share lanes with the first, and sprinkles edge bytes into both.</summary>
    void MixLanes(CpuTestCase c, ulong memAddr)
    {
        if (Rng.Next(3) == 0) return;
        var insn = c.Insn;
        if (insn.OpCount < 2 || insn.Op0Kind != OpKind.Register || !insn.Op0Register.IsXMM()) return;
        int dst = insn.Op0Register - Register.XMM0;
        int lane = 1 << Rng.Next(4);
        fixed (CpuSnapshot* s = &c.Initial)
        {
            byte* d = s->Xmm + dst * 16;
            byte* src = insn.Op1Kind == OpKind.Register && insn.Op1Register.IsXMM() ? s->Xmm + (insn.Op1Register - Register.XMM0) * 16 : null;
            for (int i = 0; i < 16; i += lane)
            {
                int pick = Rng.Next(8);
                for (int k = i; k < i + lane; k++)
                {
                    byte v = pick < 3 ? d[k] : pick == 3 ? EdgeBytes[Rng.Next(EdgeBytes.Length)] : (byte)Rng.Next(256);
                    if (src != null) src[k] = v;
                    else if (insn.Op1Kind == OpKind.Memory && memAddr != 0) c.Data[(int)(memAddr - DataBase) + k] = v;
                }
                if (Rng.Next(6) == 0)
                    for (int k = i; k < i + lane; k++) d[k] = EdgeBytes[Rng.Next(EdgeBytes.Length)];
            }
        }
    }

    Register Xmm() => Register.XMM0 + Rng.Next(16);

    Register Gpr(int size, HashSet<int> taken) => PickGpr(Rng, size, taken);

    /// <summary>A 32- or 64-bit general register not in <paramref name="taken"/> (then taken), for generators of vector-form cases.</summary>
    internal static Register PickGpr(Random rng, int size, HashSet<int> taken)
    {
        int i;
        do i = rng.Next(16); while (taken.Contains(i));
        taken.Add(i);
        return (size == 4 ? Register.EAX : Register.RAX) + i;
    }

    /// <summary>[base + index*scale + disp] inside the data window, 16-byte aligned unless misaligning.</summary>
    MemoryOperand Mem(ref CpuSnapshot s, HashSet<int> taken, SseFuzzOptions o, out ulong address)
    {
        int b;
        do b = AddressRegs[Rng.Next(AddressRegs.Length)]; while (taken.Contains(b));
        taken.Add(b);
        ulong offset = 256 + (ulong)Rng.Next(256);
        offset = o.Misalign ? offset | (ulong)(1 + Rng.Next(15)) : offset & ~15UL;
        address = DataBase + offset;
        long disp = Rng.Next(3) == 0 ? 0 : Rng.Next(-64, 64);
        ulong rest = address - (ulong)disp;
        Register index = Register.None;
        int scale = 1;
        if (Rng.Next(4) == 0)
        {
            int x;
            do x = AddressRegs[Rng.Next(AddressRegs.Length)]; while (taken.Contains(x));
            taken.Add(x);
            scale = 1 << Rng.Next(4);
            ulong iv = (ulong)Rng.Next(16);
            s.Gpr[x] = iv;
            rest -= iv * (ulong)scale;
            index = Register.RAX + x;
        }
        s.Gpr[b] = rest;
        return new MemoryOperand(Register.RAX + b, index, scale, disp, disp == 0 ? 0 : 1);
    }
}

/// <summary>Options of <see cref="SseCaseGenerator.Add"/>.</summary>
public sealed record SseFuzzOptions
{
    public bool Memory { get; init; }
    /// <summary>Memory operands at an address that is not 16-byte aligned (#GP for most legacy SSE m128 operands).</summary>
    public bool Misalign { get; init; }
    public Func<CaseEditor, bool>? Fixup { get; init; }
    /// <summary>Chance that the data page holding memory operands is read-only (stores fault, loads do not).</summary>
    public double ReadOnlyChance { get; init; }
}
