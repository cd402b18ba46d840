using Iced.Intel;
using static UserEmu.Tests.Cpu.CpuTestLayout;

namespace UserEmu.Tests.Cpu;

/// <summary>
/// Random cases of MMX forms: a random x87 state (TOP, tags, pending exceptions: <see cref="X87CaseBuilder.RandomFpu"/>)
/// whose register significands are then filled with lane-rich integers, and MMX, XMM, general-register, memory and
/// imm8 operands.
/// </summary>
/// <remarks>MMn is physical register n: in the FXSAVE image (ST(i) relative to TOP) it sits at ST((n - TOP) mod 8).</remarks>
public sealed unsafe class MmxCaseGenerator(DifferentialTester t)
{
    static readonly int[] AddressRegs = [3, 5, 8, 9, 10, 11, 12, 13, 14, 15];
    static readonly byte[] EdgeBytes = [0, 1, 0x7f, 0x80, 0xff, 0xfe];

    readonly X87CaseBuilder _fpu = new(t) { UnmaskChance = 0.3, PendingChance = 0.05 };

    Random Rng => t.Rng;

    public DifferentialTester Tester => t;

    /// <summary>Every 64-bit legacy form of the mnemonics with an MMX operand.</summary>
    public static IEnumerable<Code> MmxForms(params Mnemonic[] ms) => DifferentialTester.FormsOf(ms).Where(c =>
    {
        var op = c.ToOpCode();
        if (op.Encoding != EncodingKind.Legacy) return false;
        for (int i = 0; i < op.OpCount; i++)
            if (op.GetOpKind(i) is OpCodeOperandKind.mm_reg or OpCodeOperandKind.mm_rm or OpCodeOperandKind.mm_or_mem) return true;
        return false;
    });

    /// <summary>Adds <paramref name="count"/> register-form and memory-form cases of each MMX form of the mnemonics.</summary>
    public void AddAll(Mnemonic[] ms, int count)
    {
        foreach (var code in MmxForms(ms))
        {
            Add(code, count, memory: false);
            if (HasMemory(code)) Add(code, count, memory: true);
        }
    }

    void Add(Code code, int count, bool memory) => t.AddGenerated(code, count, () => TryGenerate(code, memory));

    static bool HasMemory(Code code)
    {
        var op = code.ToOpCode();
        for (int i = 0; i < op.OpCount; i++)
            if (op.GetOpKind(i) is OpCodeOperandKind.mm_or_mem or OpCodeOperandKind.xmm_or_mem or OpCodeOperandKind.r32_or_mem
                or OpCodeOperandKind.r64_or_mem or OpCodeOperandKind.mem) return true;
        return false;
    }

    /// <summary>Random FPU state with integer-rich significands, as the initial state of an MMX case.</summary>
    public CpuSnapshot RandomState()
    {
        var s = t.Fuzzer.RandomState();
        _fpu.RandomFpu(&s);
        for (int n = 0; n < 8; n++)
            if (Rng.Next(3) != 0) SetMm(&s, n, RandomQword());
        if (Rng.Next(4) == 0) s.Mxcsr = 0x1f80 | (uint)Rng.Next(4) << 13;
        return s;
    }

    ulong RandomQword()
    {
        ulong v = t.Fuzzer.Interesting();
        if (Rng.Next(2) == 0)
            for (int k = 0; k < 8; k++)
                if (Rng.Next(3) == 0) v = v & ~(0xffUL << (8 * k)) | (ulong)EdgeBytes[Rng.Next(EdgeBytes.Length)] << (8 * k);
        return v;
    }

    static int Top(CpuSnapshot* s) => s->Fx[3] >> 3 & 7;

    /// <summary>Where MMn's significand is in the FXSAVE image.</summary>
    public static ulong* Mm(CpuSnapshot* s, int n) => (ulong*)(s->Fx + 32 + ((n - Top(s)) & 7) * 16);

    public static void SetMm(CpuSnapshot* s, int n, ulong v) => *Mm(s, n) = v;

    CpuTestCase? TryGenerate(Code code, bool memory)
    {
        var op = code.ToOpCode();
        var state = RandomState();
        var taken = new HashSet<int> { 4 };
        var ops = new object[op.OpCount];
        ulong memAddr = 0;
        bool m128 = code is Code.Cvtpd2pi_mm_xmmm128 or Code.Cvttpd2pi_mm_xmmm128;
        for (int i = 0; i < op.OpCount; i++)
        {
            object? v = op.GetOpKind(i) switch
            {
                OpCodeOperandKind.mm_reg or OpCodeOperandKind.mm_rm => Mm(),
                OpCodeOperandKind.mm_or_mem => memory ? Mem(ref state, taken, m128, out memAddr) : Mm(),
                OpCodeOperandKind.xmm_reg or OpCodeOperandKind.xmm_rm => Xmm(),
                OpCodeOperandKind.xmm_or_mem => memory ? Mem(ref state, taken, m128, out memAddr) : Xmm(),
                OpCodeOperandKind.r32_or_mem => memory ? Mem(ref state, taken, false, out memAddr) : Gpr(4, taken),
                OpCodeOperandKind.r64_or_mem => memory ? Mem(ref state, taken, false, out memAddr) : Gpr(8, taken),
                OpCodeOperandKind.mem => Mem(ref state, taken, false, out memAddr),
                OpCodeOperandKind.r32_reg or OpCodeOperandKind.r32_rm => Gpr(4, taken),
                OpCodeOperandKind.r64_reg or OpCodeOperandKind.r64_rm => Gpr(8, taken),
                OpCodeOperandKind.seg_rDI => Register.None,
                OpCodeOperandKind.imm8 => Rng.Next(3) == 0 ? Rng.Next(0, 40) : Rng.Next(-128, 128),
                _ => null,
            };
            if (v == null) return null;
            ops[i] = v;
        }
        Instruction insn;
        try
        {
            insn = code == Code.Maskmovq_rDI_mm_mm
                ? Instruction.CreateMaskmovq(64, (Register)ops[1], (Register)ops[2])
                : InstructionFuzzer.Build(code, ops);
        }
        catch (ArgumentException)
        {
            return null;
        }
        var c = t.Fuzzer.Finish(insn, state, t.Fuzzer.RandomData(1024), new FuzzOptions { ReadOnlyChance = 0.1 });
        if (c == null) return null;
        // A store that faults: Intel has set TOP = 0 already, AMD has not (vendor-specific, see X87Snapshot).
        if (c.Insn.Op0Kind == OpKind.Memory) X87Snapshot.IgnoreTopOnFault(c);
        fixed (CpuSnapshot* s = &c.Initial)
        {
            MixLanes(c, s, memAddr);
            Fixup(c, s, memAddr);
        }
        return c;
    }

    /// <summary>Makes an MMX source share lanes with the destination, or hold edge bytes.</summary>
    void MixLanes(CpuTestCase c, CpuSnapshot* s, ulong memAddr)
    {
        var insn = c.Insn;
        if (Rng.Next(3) == 0 || insn.OpCount < 2 || insn.Op0Kind != OpKind.Register || !insn.Op0Register.IsMM()) return;
        ulong d = *Mm(s, insn.Op0Register - Register.MM0);
        int lane = 1 << Rng.Next(4);
        ulong src = 0;
        for (int i = 0; i < 8; i += lane)
        {
            int pick = Rng.Next(8);
            for (int k = i; k < i + lane; k++)
            {
                ulong b = pick < 3 ? d >> (8 * k) & 0xff : pick == 3 ? EdgeBytes[Rng.Next(EdgeBytes.Length)] : (ulong)Rng.Next(256);
                src |= b << (8 * k);
            }
        }
        if (insn.Op1Kind == OpKind.Register && insn.Op1Register.IsMM()) SetMm(s, insn.Op1Register - Register.MM0, src);
        else if (insn.Op1Kind == OpKind.Memory && InData(c, memAddr, 8)) BitConverter.TryWriteBytes(c.Data.AsSpan((int)(memAddr - DataBase)), src);
    }

    /// <summary>maskmovq's RDI; shift counts around the lane widths; float sources of the conversions within and around the integer range.</summary>
    void Fixup(CpuTestCase c, CpuSnapshot* s, ulong memAddr)
    {
        var insn = c.Insn;
        ulong* src = insn.OpCount > 1 && insn.Op1Kind == OpKind.Register && insn.Op1Register.IsMM() ? Mm(s, insn.Op1Register - Register.MM0)
            : insn.OpCount > 1 && insn.Op1Kind == OpKind.Register && insn.Op1Register.IsXMM() ? (ulong*)(s->Xmm + (insn.Op1Register - Register.XMM0) * 16)
            : null;
        void Set(int q, ulong v)
        {
            if (src != null) src[q] = v;
            else if (insn.OpCount > 1 && insn.Op1Kind == OpKind.Memory && InData(c, memAddr + (ulong)q * 8, 8)) BitConverter.TryWriteBytes(c.Data.AsSpan((int)(memAddr - DataBase) + q * 8), v);
        }
        switch (insn.Mnemonic)
        {
            case Mnemonic.Maskmovq:
                // Mostly inside the data window; sometimes running into the guard page after it.
                s->Gpr[7] = Rng.Next(6) == 0 ? GuardPage - (ulong)Rng.Next(1, 12) : DataBase + 256 + (ulong)Rng.Next(256);
                break;
            case Mnemonic.Psllw or Mnemonic.Pslld or Mnemonic.Psllq or Mnemonic.Psrlw or Mnemonic.Psrld or Mnemonic.Psrlq
                or Mnemonic.Psraw or Mnemonic.Psrad when insn.Op1Kind != OpKind.Immediate8:
                if (Rng.Next(4) != 0) Set(0, Rng.Next(2) == 0 ? (ulong)Rng.Next(0, 70) : 1UL << Rng.Next(8, 64) | (ulong)Rng.Next(16));
                break;
            case Mnemonic.Cvtps2pi or Mnemonic.Cvttps2pi:
                if (Rng.Next(4) != 0) Set(0, (ulong)Single() | (ulong)Single() << 32);
                break;
            case Mnemonic.Cvtpd2pi or Mnemonic.Cvttpd2pi:
                if (Rng.Next(4) != 0)
                {
                    Set(0, Double());
                    Set(1, Double());
                }
                break;
        }
    }

    uint Single() => (uint)BitConverter.SingleToInt32Bits(Rng.Next(6) switch
    {
        0 => (float)(Rng.NextDouble() * 4e9 - 2e9),
        1 => Rng.Next(-100, 100) + 0.5f,
        2 => float.NaN,
        3 => 2147483648f * (Rng.Next(2) * 2 - 1),
        _ => (float)(Rng.NextDouble() * 2000 - 1000),
    });

    ulong Double() => (ulong)BitConverter.DoubleToInt64Bits(Rng.Next(6) switch
    {
        0 => Rng.NextDouble() * 4.4e9 - 2.2e9,
        1 => Rng.Next(-100, 100) + 0.5,
        2 => double.NaN,
        3 => 2147483647.5 * (Rng.Next(2) * 2 - 1),
        _ => Rng.NextDouble() * 2000 - 1000,
    });

    /// <summary>A case of the given instructions (the first is the one under test) from a random MMX-rich state.</summary>
    public CpuTestCase Sequence(params Instruction[] insns)
    {
        var bytes = X87CaseBuilder.Assemble(insns);
        var decoded = Decoder.Create(64, new ByteArrayCodeReader(bytes), CodeBase).Decode();
        var state = RandomState();
        state.Gpr[3] = X87CaseBuilder.Operand;
        return new CpuTestCase { Code = bytes, Insn = decoded, Initial = state, Data = t.Fuzzer.RandomData(1024) };
    }

    static bool InData(CpuTestCase c, ulong addr, int size) => addr >= DataBase && addr + (ulong)size <= DataBase + (ulong)c.Data.Length;

    Register Mm() => Register.MM0 + Rng.Next(8);

    Register Xmm() => Register.XMM0 + Rng.Next(16);

    Register Gpr(int size, HashSet<int> taken) => SseCaseGenerator.PickGpr(Rng, size, taken);

    /// <summary>[base + disp] inside the data window (or across its end); MMX memory operands have no alignment rule, m128 ones usually aligned.</summary>
    MemoryOperand Mem(ref CpuSnapshot s, HashSet<int> taken, bool m128, out ulong address)
    {
        int b;
        do b = AddressRegs[Rng.Next(AddressRegs.Length)]; while (taken.Contains(b));
        taken.Add(b);
        ulong offset = 256 + (ulong)Rng.Next(256);
        if (!m128 || Rng.Next(4) != 0) offset &= ~15UL;
        if (!m128 && Rng.Next(2) == 0) offset |= (ulong)Rng.Next(16);
        address = DataBase + offset;
        // Sometimes running into the guard page: the access faults (a store's TOP = 0 then happens on Intel, not on AMD).
        if (Rng.Next(10) == 0) address = GuardPage - (ulong)(m128 ? 8 : Rng.Next(1, 8));
        long disp = Rng.Next(3) == 0 ? 0 : Rng.Next(-64, 64);
        s.Gpr[b] = address - (ulong)disp;
        return new MemoryOperand(Register.RAX + b, Register.None, 1, disp, disp == 0 ? 0 : 1);
    }
}
