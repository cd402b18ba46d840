using Iced.Intel;
using static UserEmu.Tests.Cpu.CpuTestLayout;

namespace UserEmu.Tests.Cpu.Avx;

/// <summary>
/// Random cases of VEX forms (128- and 256-bit) for the differential tester, whose snapshot holds XMM registers only:
/// each case is a sequence that makes the upper YMM halves observable. YMMr (r &lt; 8) gets its upper half from XMM(r+8)
/// (vinserti128), the instruction under test uses vector registers 0-7, and afterwards every upper half goes back to
/// XMM(r+8) (vextracti128), so VEX.128 zeroing and 256-bit results are all compared.
/// </summary>
public sealed unsafe class VexCaseGenerator(DifferentialTester t)
{
    static readonly int[] AddressRegs = [3, 5, 8, 9, 10, 11, 12, 13, 14, 15];
    static readonly uint[] Mxcsrs = [0x1f80, 0x3f80, 0x5f80, 0x7f80, 0x9fc0, 0x1fc0, 0x9f80];
    static readonly byte[] Prefix = BuildPrefix(), Suffix = BuildSuffix();

    Random Rng => t.Rng;

    /// <summary>Forms left out because an operand kind is not generated here (VSIB gathers, implicit [rdi]).</summary>
    public List<Code> Unsupported { get; } = new();

    /// <summary>True if every operand of the form is one this generator produces.</summary>
    public static bool CanGenerate(Code code)
    {
        var op = code.ToOpCode();
        for (int i = 0; i < op.OpCount; i++)
            if (Kind(op.GetOpKind(i)) == null) return false;
        return true;
    }

    /// <summary>Adds <paramref name="count"/> register cases and, for forms with a memory operand, as many memory cases.</summary>
    public void AddAll(IEnumerable<Code> codes, int count)
    {
        foreach (var code in codes)
        {
            if (!CanGenerate(code))
            {
                Unsupported.Add(code);
                continue;
            }
            t.AddGenerated(code, count, () => TryGenerate(code, memory: false));
            if (HasMemory(code)) t.AddGenerated(code, count, () => TryGenerate(code, memory: true));
        }
    }

    enum K { Vec, VecOrMem, Mem, Gpr32, Gpr64, Gpr32OrMem, Gpr64OrMem, Imm8 }

    static K? Kind(OpCodeOperandKind k) => k switch
    {
        OpCodeOperandKind.xmm_reg or OpCodeOperandKind.xmm_rm or OpCodeOperandKind.xmm_vvvv or OpCodeOperandKind.xmm_is4 => K.Vec,
        OpCodeOperandKind.ymm_reg or OpCodeOperandKind.ymm_rm or OpCodeOperandKind.ymm_vvvv or OpCodeOperandKind.ymm_is4 => K.Vec,
        OpCodeOperandKind.xmm_or_mem or OpCodeOperandKind.ymm_or_mem => K.VecOrMem,
        OpCodeOperandKind.mem => K.Mem,
        OpCodeOperandKind.r32_reg or OpCodeOperandKind.r32_rm => K.Gpr32,
        OpCodeOperandKind.r64_reg or OpCodeOperandKind.r64_rm => K.Gpr64,
        OpCodeOperandKind.r32_or_mem => K.Gpr32OrMem,
        OpCodeOperandKind.r64_or_mem => K.Gpr64OrMem,
        OpCodeOperandKind.imm8 => K.Imm8,
        _ => null,
    };

    static bool HasMemory(Code code)
    {
        var op = code.ToOpCode();
        for (int i = 0; i < op.OpCount; i++)
            if (Kind(op.GetOpKind(i)) is K.VecOrMem or K.Mem or K.Gpr32OrMem or K.Gpr64OrMem) return true;
        return false;
    }

    static bool IsYmmKind(OpCodeOperandKind k) => k.ToString().StartsWith("ymm", StringComparison.Ordinal);

    /// <summary>
    /// Masked stores are kept off the guard page: where one faults there, AMD reports an address inside the faulting
    /// element rather than its first byte, and the SDM leaves it open (UserEmu reports the first inaccessible byte).
    /// </summary>
    static bool MaySpanGuard(Code code) =>
        !(code.Mnemonic() is Mnemonic.Vmaskmovps or Mnemonic.Vmaskmovpd or Mnemonic.Vpmaskmovd or Mnemonic.Vpmaskmovq
          && code.ToOpCode().GetOpKind(0) == OpCodeOperandKind.mem);

    CpuTestCase? TryGenerate(Code code, bool memory)
    {
        var op = code.ToOpCode();
        _guard = MaySpanGuard(code);
        var state = t.Fuzzer.RandomState();
        state.Mxcsr = Mxcsrs[Rng.Next(Mxcsrs.Length)];
        var taken = new HashSet<int> { 4 };
        var ops = new object[op.OpCount];
        for (int i = 0; i < op.OpCount; i++)
        {
            var kind = op.GetOpKind(i);
            Register vec = (IsYmmKind(kind) ? Register.YMM0 : Register.XMM0) + Rng.Next(8);
            ops[i] = Kind(kind)!.Value switch
            {
                K.Vec => vec,
                K.VecOrMem => memory ? Mem(ref state, taken) : vec,
                K.Mem => Mem(ref state, taken),
                K.Gpr32 => SseCaseGenerator.PickGpr(Rng, 4, taken),
                K.Gpr64 => SseCaseGenerator.PickGpr(Rng, 8, taken),
                K.Gpr32OrMem => memory ? Mem(ref state, taken) : SseCaseGenerator.PickGpr(Rng, 4, taken),
                K.Gpr64OrMem => memory ? Mem(ref state, taken) : SseCaseGenerator.PickGpr(Rng, 8, taken),
                _ => Rng.Next(3) == 0 ? Rng.Next(0, 40) : Rng.Next(0, 256),
            };
        }
        MixLanes(ref state);
        Instruction insn;
        try
        {
            insn = Build(code, ops);
        }
        catch (ArgumentException)
        {
            return null;
        }
        // The data window is two pages and the first is sometimes read-only, so that stores there fault.
        var c = t.Fuzzer.Finish(insn, state, t.Fuzzer.RandomData(DataSize), new FuzzOptions { ReadOnlyChance = 0.1 });
        if (c == null) return null;
        return new CpuTestCase { Code = [.. Prefix, .. c.Code, .. Suffix], Insn = c.Insn, Initial = c.Initial, Data = c.Data, PageProt = c.PageProt };
    }

    /// <summary>Copies lanes between registers and drops in edge values, so compares, blends and min/max take every path.</summary>
    void MixLanes(ref CpuSnapshot s)
    {
        byte[] edges = [0, 1, 0x7f, 0x80, 0xff, 0x3f, 0xc0];
        fixed (byte* x = s.Xmm)
        {
            for (int k = 0; k < 8; k++)
            {
                int from = Rng.Next(16), to = Rng.Next(16), lane = 4 << Rng.Next(2);
                int at = Rng.Next(16 / lane) * lane;
                if (Rng.Next(2) == 0) Buffer.MemoryCopy(x + from * 16 + at, x + to * 16 + at, lane, lane);
                else x[to * 16 + Rng.Next(16)] = edges[Rng.Next(edges.Length)];
            }
        }
    }

    /// <summary>
    /// [base + disp] in the data window, 32-byte aligned three times in four (the aligned moves fault otherwise); one
    /// time in eight it runs into the unmapped guard page after the window, so that a fault must leave every register
    /// and byte of memory as it was.
    /// </summary>
    bool _guard;

    MemoryOperand Mem(ref CpuSnapshot s, HashSet<int> taken)
    {
        int b;
        do b = AddressRegs[Rng.Next(AddressRegs.Length)]; while (taken.Contains(b));
        taken.Add(b);
        ulong offset = _guard && Rng.Next(8) == 0 ? (ulong)(DataSize - 1 - Rng.Next(32)) : 256 + (ulong)Rng.Next(512);
        offset = Rng.Next(4) == 0 ? offset | (ulong)(1 + Rng.Next(31)) : offset & ~31UL;
        long disp = Rng.Next(3) == 0 ? 0 : Rng.Next(-64, 64) & ~31;
        s.Gpr[b] = DataBase + offset - (ulong)disp;
        return new MemoryOperand(Register.RAX + b, Register.None, 1, disp, disp == 0 ? 0 : 1);
    }

    static Instruction Build(Code c, object[] ops) => ops switch
    {
        [Register a, Register b, Register d, int i] => Instruction.Create(c, a, b, d, i),
        [Register a, Register b, MemoryOperand m, int i] => Instruction.Create(c, a, b, m, i),
        [Register a, Register b, Register d, Register e] => Instruction.Create(c, a, b, d, e),
        [Register a, Register b, MemoryOperand m, Register e] => Instruction.Create(c, a, b, m, e),
        [Register a, Register b, int i, int j] => Instruction.Create(c, a, b, i, j),
        _ => InstructionFuzzer.Build(c, ops),
    };

    static byte[] BuildPrefix()
    {
        var bytes = new List<byte>();
        for (int r = 0; r < 8; r++)
            bytes.AddRange(InstructionFuzzer.Encode(Instruction.Create(Code.VEX_Vinserti128_ymm_ymm_xmmm128_imm8,
                Register.YMM0 + r, Register.YMM0 + r, Register.XMM8 + r, 1))!);
        return [.. bytes];
    }

    static byte[] BuildSuffix()
    {
        var bytes = new List<byte>();
        for (int r = 0; r < 8; r++)
            bytes.AddRange(InstructionFuzzer.Encode(Instruction.Create(Code.VEX_Vextracti128_xmmm128_ymm_imm8,
                Register.XMM8 + r, Register.YMM0 + r, 1))!);
        return [.. bytes];
    }
}
