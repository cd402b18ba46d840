using Iced.Intel;
using static UserEmu.Tests.Cpu.CpuTestLayout;

namespace UserEmu.Tests.Cpu;

/// <summary>Options for generating cases of one instruction form.</summary>
public sealed record FuzzOptions
{
    /// <summary>Use memory for r/m operands (else registers).</summary>
    public bool Memory { get; init; }
    /// <summary>Add a LOCK prefix.</summary>
    public bool Lock { get; init; }
    /// <summary>Bytes of data window to fill randomly and compare.</summary>
    public int DataLength { get; init; } = 1024;
    /// <summary>Alignment of memory operands (1: any).</summary>
    public int Align { get; init; } = 1;
    /// <summary>Chance that the first data page is read-only (writes to memory operands then fault).</summary>
    public double ReadOnlyChance { get; init; }
    /// <summary>Adjusts a generated case (register values for implicit operands, data...); false rejects it.</summary>
    public Func<CaseEditor, bool>? Fixup { get; init; }
}

/// <summary>What a fixup sees and may change: the decoded instruction and the initial state.</summary>
public sealed unsafe class CaseEditor(CpuTestCase c, Random rng, ulong memAddress)
{
    public CpuTestCase Case => c;
    public Instruction Insn => c.Insn;
    public Random Rng => rng;
    /// <summary>Effective address of the memory operand (0 if none).</summary>
    public ulong MemAddress => memAddress;
    public byte[] Data => c.Data;

    /// <summary>Operand size in bytes of operand <paramref name="n"/>.</summary>
    public int OpSize(int n) => c.Insn.GetOpKind(n) == OpKind.Register ? c.Insn.GetOpRegister(n).GetSize() : c.Insn.MemorySize.GetSize();

    static (int Index, int Shift, int Size) Locate(Register r) => r switch
    {
        Register.AH or Register.CH or Register.DH or Register.BH => (r - Register.AH, 8, 1),
        _ => (r.GetFullRegister() - Register.RAX, 0, r.GetSize()),
    };

    public ulong Get(Register r)
    {
        var (i, shift, size) = Locate(r);
        ulong v = c.Initial.Gpr[i] >> shift;
        return size == 8 ? v : v & ((1UL << (size * 8)) - 1);
    }

    /// <summary>Sets a register as an instruction would write it (narrow writes merge, 32-bit ones too: this is initial state).</summary>
    public void Set(Register r, ulong value)
    {
        var (i, shift, size) = Locate(r);
        ulong mask = (size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1) << shift;
        c.Initial.Gpr[i] = (c.Initial.Gpr[i] & ~mask) | ((value << shift) & mask);
    }

    public ulong ReadData(ulong addr, int size)
    {
        ulong v = 0;
        for (int k = size - 1; k >= 0; k--) v = v << 8 | c.Data[(int)(addr - DataBase) + k];
        return v;
    }

    public void WriteData(ulong addr, int size, ulong value)
    {
        for (int k = 0; k < size; k++) c.Data[(int)(addr - DataBase) + k] = (byte)(value >> (8 * k));
    }

    /// <summary>Current value of operand <paramref name="n"/> (register or memory).</summary>
    public ulong Operand(int n) => c.Insn.GetOpKind(n) == OpKind.Register ? Get(c.Insn.GetOpRegister(n)) : ReadData(memAddress, OpSize(n));
}

/// <summary>Random instances of one instruction form (an Iced <see cref="Code"/>): operands, register values, flags and data.</summary>
/// <remarks>Operand kinds it does not know make <see cref="Generate"/> return null; such forms need a custom builder.</remarks>
public sealed unsafe class InstructionFuzzer(Random rng)
{
    static readonly Register[] Full = Enumerable.Range(0, 16).Select(i => Register.RAX + i).ToArray();
    /// <summary>Memory base/index candidates: registers no implicit operand of the integer ISA uses.</summary>
    static readonly int[] AddressRegs = [3, 5, 8, 9, 10, 11, 12, 13, 14, 15];

    public Random Rng => rng;

    /// <summary>A value from a distribution rich in edge cases.</summary>
    public ulong Interesting() => rng.Next(8) switch
    {
        0 => 0,
        1 => ulong.MaxValue,
        2 => 1UL << rng.Next(64),
        3 => (ulong)rng.Next(256),
        4 => (1UL << (8 * (1 << rng.Next(4)) - 1)) - (ulong)rng.Next(2), // sign boundaries: 0x80 / 0x7f ... 0x8000..0 / 0x7fff..f
        5 => (ulong)rng.NextInt64() & 0xffff_ffff,
        _ => (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 40),
    };

    /// <summary>Random registers, flags, XMM state and a data window with RSP inside it.</summary>
    public CpuSnapshot RandomState()
    {
        var s = new CpuSnapshot();
        for (int i = 0; i < 16; i++) s.Gpr[i] = Interesting();
        s.Gpr[4] = DataBase + 0x300;
        ulong arith = (ulong)rng.Next() & (FlagRules.CF | FlagRules.PF | FlagRules.AF | FlagRules.ZF | FlagRules.SF | FlagRules.OF);
        s.Rflags = 0x202 | arith | (rng.Next(4) == 0 ? FlagRules.DF : 0) | (rng.Next(8) == 0 ? FlagRules.ID : 0) | (rng.Next(16) == 0 ? FlagRules.NT : 0);
        for (int k = 0; k < 256; k++) s.Xmm[k] = (byte)rng.Next(256);
        s.Mxcsr = 0x1f80;
        return s;
    }

    public byte[] RandomData(int length)
    {
        var d = new byte[length];
        rng.NextBytes(d);
        return d;
    }

    /// <summary>A case of form <paramref name="code"/>, or null if its operand kinds are not supported or no valid encoding was found.</summary>
    public CpuTestCase? Generate(Code code, FuzzOptions o)
    {
        for (int attempt = 0; attempt < 40; attempt++)
            if (TryGenerate(code, o) is { } c) return c;
        return null;
    }

    CpuTestCase? TryGenerate(Code code, FuzzOptions o)
    {
        var op = code.ToOpCode();
        var state = RandomState();
        var taken = new HashSet<int> { 4 };
        var ops = new object[op.OpCount];
        ulong memAddr = 0;
        for (int i = 0; i < op.OpCount; i++)
        {
            object? v = op.GetOpKind(i) switch
            {
                OpCodeOperandKind.r8_or_mem => o.Memory ? Mem(ref state, taken, o, out memAddr) : Reg(1, taken),
                OpCodeOperandKind.r16_or_mem => o.Memory ? Mem(ref state, taken, o, out memAddr) : Reg(2, taken),
                OpCodeOperandKind.r32_or_mem => o.Memory ? Mem(ref state, taken, o, out memAddr) : Reg(4, taken),
                OpCodeOperandKind.r64_or_mem => o.Memory ? Mem(ref state, taken, o, out memAddr) : Reg(8, taken),
                OpCodeOperandKind.mem => Mem(ref state, taken, o, out memAddr),
                OpCodeOperandKind.r8_reg or OpCodeOperandKind.r8_opcode => Reg(1, taken),
                OpCodeOperandKind.r16_reg or OpCodeOperandKind.r16_opcode or OpCodeOperandKind.r16_rm => Reg(2, taken),
                OpCodeOperandKind.r32_reg or OpCodeOperandKind.r32_opcode or OpCodeOperandKind.r32_rm or OpCodeOperandKind.r32_vvvv => Reg(4, taken),
                OpCodeOperandKind.r64_reg or OpCodeOperandKind.r64_opcode or OpCodeOperandKind.r64_rm or OpCodeOperandKind.r64_vvvv => Reg(8, taken),
                OpCodeOperandKind.al => Register.AL,
                OpCodeOperandKind.cl => Register.CL,
                OpCodeOperandKind.ax => Register.AX,
                OpCodeOperandKind.eax => Register.EAX,
                OpCodeOperandKind.rax => Register.RAX,
                OpCodeOperandKind.imm8_const_1 => 1,
                OpCodeOperandKind.imm8 => rng.Next(2) == 0 ? rng.Next(0, 70) : rng.Next(-128, 128),
                OpCodeOperandKind.imm8sex16 or OpCodeOperandKind.imm8sex32 or OpCodeOperandKind.imm8sex64 => rng.Next(-128, 128),
                OpCodeOperandKind.imm16 => rng.Next(2) == 0 ? rng.Next(0, 1024) : rng.Next(-32768, 32768),
                OpCodeOperandKind.imm32 or OpCodeOperandKind.imm32sex64 => (int)Interesting(),
                OpCodeOperandKind.imm64 => (long)Interesting(),
                _ => null,
            };
            if (v == null) return null;
            ops[i] = v;
        }
        Instruction insn;
        try
        {
            insn = Build(code, ops);
        }
        catch (ArgumentException)
        {
            return null;
        }
        insn.HasLockPrefix = o.Lock;
        var c = Finish(insn, state, RandomData(o.DataLength), o);
        if (c == null) return null;
        if (o.Fixup != null && !o.Fixup(new CaseEditor(c, rng, memAddr))) return null;
        return c;
    }

    /// <summary>Encodes <paramref name="insn"/> at CodeBase and wraps it as a case; null if it cannot be encoded.</summary>
    public CpuTestCase? Finish(Instruction insn, CpuSnapshot state, byte[] data, FuzzOptions? o = null)
    {
        var bytes = Encode(insn);
        if (bytes == null) return null;
        var decoded = Decode(bytes);
        byte[] prot = [3, 3];
        if (o != null && rng.NextDouble() < o.ReadOnlyChance) prot[0] = 1;
        return new CpuTestCase { Code = bytes, Insn = decoded, Initial = state, Data = data, PageProt = prot };
    }

    public static byte[]? Encode(in Instruction insn)
    {
        var w = new CodeWriterImpl();
        var enc = Encoder.Create(64, w);
        return enc.TryEncode(insn, CodeBase, out _, out _) ? w.ToArray() : null;
    }

    public static Instruction Decode(byte[] bytes)
    {
        var d = Decoder.Create(64, new ByteArrayCodeReader(bytes), CodeBase);
        d.Decode(out var insn);
        return insn;
    }

    sealed class CodeWriterImpl : CodeWriter
    {
        readonly List<byte> _bytes = new();
        public override void WriteByte(byte value) => _bytes.Add(value);
        public byte[] ToArray() => _bytes.ToArray();
    }

    Register Reg(int size, HashSet<int> taken)
    {
        int i;
        do i = rng.Next(16); while (taken.Contains(i));
        if (size == 1 && i < 4 && rng.Next(3) == 0) return Register.AH + i;
        return size switch
        {
            1 => Register.AL + i,
            2 => Register.AX + i,
            4 => Register.EAX + i,
            _ => Register.RAX + i,
        };
    }

    /// <summary>A memory operand [base + index*scale + disp] addressing the data window; sets base/index values in <paramref name="s"/>.</summary>
    MemoryOperand Mem(ref CpuSnapshot s, HashSet<int> taken, FuzzOptions o, out ulong address)
    {
        int b = AddressRegs[rng.Next(AddressRegs.Length)];
        taken.Add(b);
        ulong offset = 256 + (ulong)rng.Next(256);
        offset &= ~(ulong)(o.Align - 1);
        address = DataBase + offset;
        long disp = rng.Next(3) == 0 ? 0 : rng.Next(-64, 64);
        ulong rest = address - (ulong)disp;
        Register index = Register.None;
        int scale = 1;
        if (rng.Next(4) == 0)
        {
            int x;
            do x = AddressRegs[rng.Next(AddressRegs.Length)]; while (x == b);
            taken.Add(x);
            scale = 1 << rng.Next(4);
            ulong iv = (ulong)rng.Next(16);
            s.Gpr[x] = iv;
            rest -= iv * (ulong)scale;
            index = Full[x];
        }
        s.Gpr[b] = rest;
        return new MemoryOperand(Full[b], index, scale, disp, disp == 0 ? 0 : 1);
    }

    /// <summary>Instruction.Create for an operand list of registers, memory operands and immediates.</summary>
    public static Instruction Build(Code c, object[] ops) => ops switch
    {
        [] => Instruction.Create(c),
        [Register a] => Instruction.Create(c, a),
        [MemoryOperand m] => Instruction.Create(c, m),
        [int i] => Instruction.Create(c, i),
        [Register a, Register b] => Instruction.Create(c, a, b),
        [Register a, int i] => Instruction.Create(c, a, i),
        [Register a, long l] => Instruction.Create(c, a, l),
        [Register a, MemoryOperand m] => Instruction.Create(c, a, m),
        [MemoryOperand m, Register a] => Instruction.Create(c, m, a),
        [MemoryOperand m, int i] => Instruction.Create(c, m, i),
        [int i, int j] => Instruction.Create(c, i, j),
        [Register a, Register b, Register d] => Instruction.Create(c, a, b, d),
        [Register a, Register b, int i] => Instruction.Create(c, a, b, i),
        [Register a, MemoryOperand m, Register b] => Instruction.Create(c, a, m, b),
        [Register a, MemoryOperand m, int i] => Instruction.Create(c, a, m, i),
        [Register a, Register b, MemoryOperand m] => Instruction.Create(c, a, b, m),
        [MemoryOperand m, Register a, Register b] => Instruction.Create(c, m, a, b),
        [MemoryOperand m, Register a, int i] => Instruction.Create(c, m, a, i),
        _ => throw new ArgumentException($"no Instruction.Create for {c} with {ops.Length} operands"),
    };
}
