using Iced.Intel;
using static UserEmu.Tests.Cpu.CpuTestLayout;

namespace UserEmu.Tests.Cpu;

/// <summary>Options for <see cref="SseFloatCases"/>.</summary>
public sealed record SseCaseOptions
{
    /// <summary>Lane format of XMM registers and memory data.</summary>
    public SseLaneFormat Format { get; init; }
    public bool Memory { get; init; }
    /// <summary>Misalign memory operands (legacy SSE m128 operands then fault).</summary>
    public bool Misaligned { get; init; }
    /// <summary>Chance of some exception masks being clear (unmasked exceptions raise SIGFPE).</summary>
    public double UnmaskChance { get; init; }
    /// <summary>A fixed MXCSR instead of a random one.</summary>
    public uint? Mxcsr { get; init; }
    /// <summary>Allowed imm8 values (null: any byte).</summary>
    public Func<Random, int>? Imm8 { get; init; }
    /// <summary>Last changes to a case (false rejects it).</summary>
    public Func<CaseEditor, bool>? Fixup { get; init; }
}

/// <summary>
/// Random cases for SSE forms (XMM, general register, memory and imm8 operands), with float-rich register and
/// memory contents and random MXCSR; the plain <see cref="InstructionFuzzer"/> does not know XMM operands.
/// </summary>
public sealed unsafe class SseFloatCases(DifferentialTester t)
{
    static readonly int[] AddressRegs = [3, 5, 8, 9, 10, 11, 12, 13, 14, 15];

    public SseFloatValues Values { get; } = new(t.Rng);
    Random Rng => t.Rng;

    /// <summary>Adds <paramref name="count"/> cases of every legacy form of the mnemonics.</summary>
    public void Add(Mnemonic[] mnemonics, int count, SseCaseOptions o)
    {
        foreach (var code in DifferentialTester.FormsOf(mnemonics))
        {
            // Legacy SSE forms only (cmpsd/movsd also name string instructions, which have no XMM operand).
            if (code.ToOpCode().Encoding != EncodingKind.Legacy || (!HasXmm(code) && code.Mnemonic() is Mnemonic.Cmpsd or Mnemonic.Movsd)) continue;
            if (o.Memory && !HasMemory(code)) continue;
            for (int k = 0; k < count; k++)
            {
                CpuTestCase? c = null;
                for (int attempt = 0; attempt < 20 && c == null; attempt++) c = Generate(code, o);
                if (c == null)
                {
                    t.Ungenerated.Add(code);
                    break;
                }
                t.Add(c);
            }
        }
    }

    static bool HasXmm(Code code)
    {
        var op = code.ToOpCode();
        for (int i = 0; i < op.OpCount; i++)
            if (op.GetOpKind(i) is OpCodeOperandKind.xmm_reg or OpCodeOperandKind.xmm_rm or OpCodeOperandKind.xmm_or_mem) return true;
        return false;
    }

    static bool HasMemory(Code code)
    {
        var op = code.ToOpCode();
        for (int i = 0; i < op.OpCount; i++)
            if (op.GetOpKind(i) is OpCodeOperandKind.xmm_or_mem or OpCodeOperandKind.mem or OpCodeOperandKind.r32_or_mem
                or OpCodeOperandKind.r64_or_mem) return true;
        return false;
    }

    CpuTestCase? Generate(Code code, SseCaseOptions o)
    {
        var op = code.ToOpCode();
        var state = t.Fuzzer.RandomState();
        for (int r = 0; r < 16; r++) Values.Fill(new Span<byte>(state.Xmm + r * 16, 16), o.Format);
        state.Mxcsr = o.Mxcsr ?? Values.Mxcsr(o.UnmaskChance);
        var data = new byte[1024];
        for (int at = 0; at < data.Length; at += 16) Values.Fill(data.AsSpan(at, 16), o.Format);
        var taken = new HashSet<int> { 4 };
        var ops = new object[op.OpCount];
        int firstXmm = -1;
        ulong memAddr = 0;
        for (int i = 0; i < op.OpCount; i++)
        {
            object? v = op.GetOpKind(i) switch
            {
                OpCodeOperandKind.xmm_reg or OpCodeOperandKind.xmm_rm => Xmm(ref firstXmm),
                OpCodeOperandKind.xmm_or_mem => o.Memory ? Mem(ref state, taken, o, out memAddr) : Xmm(ref firstXmm),
                OpCodeOperandKind.mem => Mem(ref state, taken, o, out memAddr),
                OpCodeOperandKind.r32_or_mem => o.Memory ? Mem(ref state, taken, o, out memAddr) : Gpr(4, taken, ref state),
                OpCodeOperandKind.r64_or_mem => o.Memory ? Mem(ref state, taken, o, out memAddr) : Gpr(8, taken, ref state),
                OpCodeOperandKind.r32_reg or OpCodeOperandKind.r32_rm => Gpr(4, taken, ref state),
                OpCodeOperandKind.r64_reg or OpCodeOperandKind.r64_rm => Gpr(8, taken, ref state),
                OpCodeOperandKind.imm8 => o.Imm8?.Invoke(Rng) ?? Rng.Next(256),
                _ => null,
            };
            if (v == null) return null;
            ops[i] = v;
        }
        Instruction insn;
        try
        {
            insn = InstructionFuzzer.Build(code, ops);
        }
        catch (ArgumentException)
        {
            return null;
        }
        var c = t.Fuzzer.Finish(insn, state, data);
        if (c == null) return null;
        NearbyOperands(c);
        if (o.Fixup != null && !o.Fixup(new CaseEditor(c, Rng, memAddr))) return null;
        return c;
    }

    /// <summary>A third of the time the source register's lanes become the destination's plus a few ulps (cancellation, ties, equality).</summary>
    void NearbyOperands(CpuTestCase c)
    {
        var insn = c.Insn;
        if (insn.OpCount < 2 || insn.Op0Kind != OpKind.Register || !insn.Op0Register.IsXMM() || Rng.Next(3) != 0) return;
        int d = insn.Op0Register - Register.XMM0;
        fixed (byte* xmm = c.Initial.Xmm)
        {
            Span<byte> dst = new(xmm + d * 16, 16);
            Span<byte> src = insn.Op1Kind == OpKind.Register && insn.Op1Register.IsXMM()
                ? new Span<byte>(xmm + (insn.Op1Register - Register.XMM0) * 16, 16)
                : insn.Op1Kind == OpKind.Memory ? c.Data.AsSpan((int)(EffectiveAddress(c) - DataBase), 16) : default;
            Perturb(dst, src);
        }
    }

    void Perturb(Span<byte> dst, Span<byte> src)
    {
        if (src.IsEmpty || src.Overlaps(dst)) return;
        bool wide = Rng.Next(2) == 0;
        for (int at = 0; at < 16; at += wide ? 8 : 4)
        {
            if (wide) BitConverter.TryWriteBytes(src[at..], BitConverter.ToUInt64(dst[at..]) + (ulong)Rng.Next(-2, 3) ^ (Rng.Next(3) == 0 ? 1UL << 63 : 0));
            else BitConverter.TryWriteBytes(src[at..], BitConverter.ToUInt32(dst[at..]) + (uint)Rng.Next(-2, 3) ^ (Rng.Next(3) == 0 ? 0x8000_0000u : 0));
        }
    }

    static ulong EffectiveAddress(CpuTestCase c)
    {
        var i = c.Insn;
        ulong ea = i.MemoryDisplacement64;
        if (i.MemoryBase != Register.None) ea += c.Initial.Gpr[i.MemoryBase.GetFullRegister() - Register.RAX];
        if (i.MemoryIndex != Register.None) ea += c.Initial.Gpr[i.MemoryIndex.GetFullRegister() - Register.RAX] * (ulong)i.MemoryIndexScale;
        return ea;
    }

    Register Xmm(ref int first)
    {
        int r = first >= 0 && Rng.Next(8) == 0 ? first : Rng.Next(16);
        if (first < 0) first = r;
        return Register.XMM0 + r;
    }

    Register Gpr(int size, HashSet<int> taken, ref CpuSnapshot s)
    {
        int i;
        do i = Rng.Next(16); while (taken.Contains(i));
        taken.Add(i);
        s.Gpr[i] = Values.Integer(size == 8) | (size == 4 ? (ulong)Rng.NextInt64() << 32 : 0);
        return (size == 8 ? Register.RAX : Register.EAX) + i;
    }

    MemoryOperand Mem(ref CpuSnapshot s, HashSet<int> taken, SseCaseOptions o, out ulong address)
    {
        int b;
        do b = AddressRegs[Rng.Next(AddressRegs.Length)]; while (taken.Contains(b));
        taken.Add(b);
        ulong offset = 256 + (ulong)Rng.Next(512) & ~15UL;
        if (o.Misaligned) offset += (ulong)Rng.Next(1, 16);
        address = DataBase + offset;
        long disp = Rng.Next(3) == 0 ? 0 : Rng.Next(-64, 64);
        s.Gpr[b] = address - (ulong)disp;
        return new MemoryOperand(Register.RAX + b, Register.None, 1, disp, disp == 0 ? 0 : 1);
    }
}
