using Iced.Intel;
using Xunit;
using Xunit.Abstractions;
using static UserEmu.Tests.Cpu.CpuTestLayout;

namespace UserEmu.Tests.Cpu.Avx;

/// <summary>
/// xsave/xsavec/xrstor against the host CPU for the x87, SSE and AVX components (EDX:EAX a random subset of 7, so
/// the host's other components stay out), through all three execution paths; the upper YMM halves are made
/// observable as in <see cref="VexCaseGenerator"/>.
/// </summary>
public unsafe class XsaveDifferentialTests(ITestOutputHelper output)
{
    // fldcw (a control instruction: FIP/FOP untouched, which UserEmu does not track) takes the x87 out of its initial
    // state, so the host's XSTATE_BV has every component, as UserEmu reports it.
    static readonly byte[] Prefix = [.. InstructionFuzzer.Encode(Instruction.Create(Code.Fldcw_m2byte, new MemoryOperand(Register.None, (long)DataBase)))!,
        .. Sequence(r => Instruction.Create(Code.VEX_Vinserti128_ymm_ymm_xmmm128_imm8, Register.YMM0 + r, Register.YMM0 + r, Register.XMM8 + r, 1))];
    static readonly byte[] Suffix = Sequence(r => Instruction.Create(Code.VEX_Vextracti128_xmmm128_ymm_imm8, Register.XMM8 + r, Register.YMM0 + r, 1));

    static byte[] Sequence(Func<int, Instruction> make)
    {
        var bytes = new List<byte>();
        for (int r = 0; r < 8; r++) bytes.AddRange(InstructionFuzzer.Encode(make(r))!);
        return [.. bytes];
    }

    [Theory]
    [InlineData(Code.Xsave_mem)]
    [InlineData(Code.Xsave64_mem)]
    [InlineData(Code.Xsavec_mem)]
    [InlineData(Code.Xsavec64_mem)]
    [InlineData(Code.Xrstor_mem)]
    [InlineData(Code.Xrstor64_mem)]
    public void SaveAndRestoreMatchTheHost(Code code)
    {
        var t = new DifferentialTester(400 + (int)code % 97);
        bool restore = code is Code.Xrstor_mem or Code.Xrstor64_mem;
        for (int k = 0; k < 60; k++)
        {
            var st = t.Fuzzer.RandomState();
            st.Gpr[0] = (ulong)(1 + t.Rng.Next(7)) | 0xdead_0000_0000UL;
            st.Gpr[2] = 0;
            int misalign = t.Rng.Next(8) == 0 ? 8 * (1 + t.Rng.Next(7)) : 0;
            st.Gpr[3] = DataBase + 64 + (ulong)misalign;
            var data = t.Fuzzer.RandomData(1024);
            data[0] = 0x7F; // the control word fldcw loads: 0x027F (53-bit precision)
            data[1] = 0x02;
            if (restore) MakeValidImage(t.Rng, data.AsSpan(64 + misalign));
            var c = t.Fuzzer.Finish(Instruction.Create(code, new MemoryOperand(Register.RBX)), st, data)!;
            var full = new CpuTestCase { Code = [.. Prefix, .. c.Code, .. Suffix], Insn = c.Insn, Initial = c.Initial, Data = c.Data, PageProt = c.PageProt };
            // MXCSR_MASK bit 17 is AMD's MM (misaligned-exception mask), which Intel CPUs and UserEmu lack.
            if (!restore) full.IgnoreData(DataBase + 64 + (ulong)misalign + 30, 1, 0x02);
            t.Add(full);
        }
        IntegerDifferentialTests.Check(t, output);
    }

    /// <summary>A standard-format image xrstor accepts: valid MXCSR, XSTATE_BV a subset of x87/SSE/AVX, the rest of the header zero.</summary>
    static void MakeValidImage(Random rng, Span<byte> image)
    {
        BitConverter.TryWriteBytes(image[24..], 0x1f80u | (uint)rng.Next(64));
        image.Slice(512, 64).Clear();
        image[512] = (byte)rng.Next(8);
    }
}
