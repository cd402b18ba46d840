using Iced.Intel;
using static UserEmu.Tests.Cpu.CpuTestLayout;

namespace UserEmu.Tests.Cpu;

/// <summary>Builds x87 differential cases: random FPU state (values rich in edge encodings, control words, tags) and one instruction form.</summary>
public sealed unsafe class X87CaseBuilder(DifferentialTester t)
{
    /// <summary>Where [rbx] points: the memory operand of every case.</summary>
    public const ulong Operand = DataBase + 0x100;

    readonly Random _rng = t.Rng;

    public DifferentialTester Tester => t;

    /// <summary>Chance that the control word unmasks some exceptions.</summary>
    public double UnmaskChance { get; set; } = 0.15;
    /// <summary>Chance that an exception is already pending when the instruction starts.</summary>
    public double PendingChance { get; set; } = 0.03;
    /// <summary>Chance that each of ST(0), ST(1) is empty.</summary>
    public double EmptyChance { get; set; } = 0.04;

    /// <summary>An 80-bit value from a distribution rich in edge cases.</summary>
    public (ushort SignExp, ulong Mant) Value()
    {
        ushort sign = (ushort)(_rng.Next(2) << 15);
        ulong r = (ulong)_rng.NextInt64() | (ulong)_rng.Next(2) << 63;
        ulong mant = _rng.Next(5) switch
        {
            0 => r | 1UL << 63,
            1 => 1UL << 63 | (r & (ulong.MaxValue << _rng.Next(64))),
            2 => 1UL << 63 | (r >> _rng.Next(64)),
            3 => ulong.MaxValue << _rng.Next(12),
            _ => 1UL << 63 | (ulong)_rng.Next(1 << 12) << 52 | (r & 1),
        };
        int exp = _rng.Next(24) switch
        {
            0 => 0, // zero / denormal / pseudo-denormal
            1 => 0x7FFF, // infinity, NaN, pseudo forms
            2 => _rng.Next(1, 80),
            3 => 0x7FFF - _rng.Next(1, 80),
            4 => 0x3FFF - 1022 + _rng.Next(-70, 4),
            5 => 0x3FFF + 1023 + _rng.Next(-3, 4),
            6 => 0x3FFF - 126 + _rng.Next(-30, 4),
            7 => 0x3FFF + 127 + _rng.Next(-3, 4),
            8 => 0x3FFF + _rng.Next(0, 64), // integers and halves
            9 => _rng.Next(1, 0x7FFF),
            _ => 0x3FFF + _rng.Next(-40, 40),
        };
        switch (_rng.Next(40))
        {
            case 0: return (sign, 0); // zero
            case 1: return ((ushort)(sign | 0x7FFF), 1UL << 63); // infinity
            case 2: return ((ushort)(sign | 0x7FFF), 0xC000_0000_0000_0000 | r >> 2); // QNaN
            case 3: return ((ushort)(sign | 0x7FFF), 0x8000_0000_0000_0000 | (r >> 2 | 1)); // SNaN
            case 4: return (sign, r >> 1 >> _rng.Next(64)); // denormal
            case 5: mant &= ~(1UL << 63); break; // unnormal / pseudo
            case 6: // small integer
                long n = _rng.Next(-1000, 1000);
                ulong m = (ulong)Math.Abs(n);
                if (m == 0) return (sign, 0);
                int lz = System.Numerics.BitOperations.LeadingZeroCount(m);
                return ((ushort)((n < 0 ? 0x8000 : 0) | (0x3FFF + 63 - lz)), m << lz);
        }
        return ((ushort)(sign | exp), mant);
    }

    public ushort ControlWord()
    {
        int masks = _rng.NextDouble() < UnmaskChance ? _rng.Next(64) : 0x3F;
        return (ushort)(0x40 | masks | _rng.Next(4) << 8 | _rng.Next(4) << 10);
    }

    /// <summary>Random x87 state into <paramref name="s"/>: registers, TOP, tags, condition codes, sticky flags.</summary>
    public void RandomFpu(CpuSnapshot* s)
    {
        ushort fcw = ControlWord();
        int top = _rng.Next(8);
        int flags = _rng.Next(8) == 0 ? _rng.Next(64) & fcw : 0;
        if (_rng.NextDouble() < PendingChance) flags |= 1 << _rng.Next(6);
        int fsw = flags | (_rng.Next(16) switch { var b => (b & 1) << 8 | (b & 2) << 8 | (b & 4) << 8 | (b & 8) << 11 }) | top << 11;
        if ((flags & ~fcw & 0x3F) != 0) fsw |= 0x8080;
        var regs = new (ushort, ulong)[8];
        int tags = 0;
        for (int i = 0; i < 8; i++)
        {
            regs[i] = Value();
            double empty = i < 2 ? EmptyChance : 0.5;
            if (_rng.NextDouble() >= empty) tags |= 1 << ((top + i) & 7);
        }
        X87Snapshot.Set(s, fcw, (ushort)fsw, (byte)tags, regs);
    }

    /// <summary>Random bytes for a memory operand of the given size, in the operand's format.</summary>
    public void FillOperand(byte[] data, MemorySize size)
    {
        int at = (int)(Operand - DataBase);
        var (se, m) = Value();
        switch (size)
        {
            case MemorySize.Float32:
                BitConverter.TryWriteBytes(data.AsSpan(at), FloatBits(se, m, 8, 23));
                break;
            case MemorySize.Float64:
                BitConverter.TryWriteBytes(data.AsSpan(at), FloatBits64(se, m));
                break;
            case MemorySize.Float80:
                BitConverter.TryWriteBytes(data.AsSpan(at), m);
                BitConverter.TryWriteBytes(data.AsSpan(at + 8), se);
                break;
            case MemorySize.Int16 or MemorySize.Int32 or MemorySize.Int64:
                BitConverter.TryWriteBytes(data.AsSpan(at), t.Fuzzer.Interesting());
                break;
            case MemorySize.Bcd:
                for (int k = 0; k < 9; k++) data[at + k] = (byte)(_rng.Next(10) << 4 | _rng.Next(10));
                data[at + 9] = (byte)(_rng.Next(2) << 7);
                break;
        }
    }

    /// <summary>A single-precision pattern with the 80-bit value's class: exponent re-biased and clamped, top fraction bits kept.</summary>
    uint FloatBits(ushort se, ulong m, int expBits, int fracBits)
    {
        uint sign = (uint)(se >> 15) << 31;
        int e = se & 0x7FFF;
        uint frac = (uint)((m << 1) >> (64 - fracBits));
        uint exp = e == 0x7FFF ? 0xFF : e == 0 ? 0 : (uint)Math.Clamp(e - 0x3FFF + 127, 0, 0xFF);
        if (_rng.Next(8) == 0) exp = (uint)_rng.Next(0, 3);
        return sign | exp << 23 | frac;
    }

    ulong FloatBits64(ushort se, ulong m)
    {
        ulong sign = (ulong)(se >> 15) << 63;
        int e = se & 0x7FFF;
        ulong frac = (m << 1) >> 12;
        ulong exp = e == 0x7FFF ? 0x7FF : e == 0 ? 0 : (ulong)Math.Clamp(e - 0x3FFF + 1023, 0, 0x7FF);
        if (_rng.Next(8) == 0) exp = (ulong)_rng.Next(0, 3);
        return sign | exp << 52 | frac;
    }

    /// <summary>The instruction of form <paramref name="code"/> with [rbx] for memory and a random ST(i).</summary>
    public Instruction Build(Code code)
    {
        var op = code.ToOpCode();
        var ops = new object[op.OpCount];
        for (int i = 0; i < op.OpCount; i++)
        {
            ops[i] = op.GetOpKind(i) switch
            {
                OpCodeOperandKind.mem => new MemoryOperand(Register.RBX),
                OpCodeOperandKind.st0 => Register.ST0,
                OpCodeOperandKind.sti_opcode => Register.ST0 + _rng.Next(8),
                OpCodeOperandKind.ax => Register.AX,
                var k => throw new NotSupportedException($"{code}: operand {k}"),
            };
        }
        return ops.Length switch
        {
            0 => Instruction.Create(code),
            1 => ops[0] is Register r ? Instruction.Create(code, r) : Instruction.Create(code, (MemoryOperand)ops[0]),
            _ => Instruction.Create(code, (Register)ops[0], (Register)ops[1]),
        };
    }

    public static byte[] Assemble(params Instruction[] insns)
    {
        var w = new CodeWriterImpl();
        var enc = Encoder.Create(64, w);
        ulong ip = CodeBase;
        foreach (var insn in insns)
        {
            var i = insn;
            i.IP = ip;
            ip += (ulong)enc.Encode(i, ip);
        }
        return w.ToArray();
    }

    sealed class CodeWriterImpl : CodeWriter
    {
        readonly List<byte> _bytes = new();
        public override void WriteByte(byte value) => _bytes.Add(value);
        public byte[] ToArray() => _bytes.ToArray();
    }

    /// <summary>A case: random GPR/FPU state, rbx at <see cref="Operand"/>, the given instructions (the first one is the one under test).</summary>
    public CpuTestCase Case(params Instruction[] insns)
    {
        var state = t.Fuzzer.RandomState();
        state.Gpr[3] = Operand;
        RandomFpu(&state);
        var data = t.Fuzzer.RandomData(512);
        if (insns[0].Op0Kind == OpKind.Memory || insns[0].Op1Kind == OpKind.Memory) FillOperand(data, insns[0].MemorySize);
        var bytes = Assemble(insns);
        var decoded = Decoder.Create(64, new ByteArrayCodeReader(bytes), CodeBase).Decode();
        var c = new CpuTestCase { Code = bytes, Insn = decoded, Initial = state, Data = data };
        return c;
    }

    /// <summary>Adds <paramref name="count"/> cases of every form of the mnemonics.</summary>
    public void AddForms(int count, params Mnemonic[] mnemonics)
    {
        foreach (var code in DifferentialTester.FormsOf(mnemonics))
            for (int k = 0; k < count; k++) t.Add(Case(Build(code)));
    }
}
