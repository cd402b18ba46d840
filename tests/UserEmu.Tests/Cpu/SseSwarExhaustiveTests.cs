using System.Runtime.Intrinsics;
using Iced.Intel;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>
/// The byte ops lowered to SWAR IR (see <c>SwarIr</c>), run under the emulator for every pair of byte values and
/// checked against <see cref="Vector128"/>; no native harness needed.
/// </summary>
public unsafe class SseSwarExhaustiveTests
{
    static void AllPairs(Code code, Func<Vector128<byte>, Vector128<byte>, Vector128<byte>> reference)
    {
        using var emu = new EmulatorRunner();
        var insn = Instruction.Create(code, Register.XMM1, Register.XMM2);
        var template = new InstructionFuzzer(new Random(1)).Finish(insn, default, new byte[16])!;
        var block = emu.Translate(template);
        for (int x = 0; x < 256; x++)
        {
            for (int chunk = 0; chunk < 16; chunk++)
            {
                var c = new CpuTestCase { Code = template.Code, Insn = template.Insn, Data = new byte[16] };
                c.Initial.Rflags = 0x202;
                c.Initial.Mxcsr = 0x1f80;
                c.Initial.Gpr[4] = CpuTestLayout.DataBase + 0x300;
                for (int i = 0; i < 16; i++)
                {
                    c.Initial.Xmm[16 + i] = (byte)x;
                    c.Initial.Xmm[32 + i] = (byte)(chunk * 16 + i);
                }
                var a = Vector128.Create((byte)x);
                var b = Vector128.Create((byte)(chunk * 16)) + Vector128.Create((byte)0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
                var want = reference(a, b);
                var st = emu.Run(c, block, EmulatorRunner.Backend.InterpreterOptimized).State;
                var got = Vector128.Create(new ReadOnlySpan<byte>(st.Xmm + 16, 16));
                Assert.True(want == got, $"{code} x={x:x2} y={chunk * 16:x2}..: want {want} got {got}");
            }
        }
    }

    [Fact] public void Pminub() => AllPairs(Code.Pminub_xmm_xmmm128, Vector128.Min);
    [Fact] public void Pmaxub() => AllPairs(Code.Pmaxub_xmm_xmmm128, Vector128.Max);
    [Fact] public void Pcmpeqb() => AllPairs(Code.Pcmpeqb_xmm_xmmm128, Vector128.Equals);
    [Fact] public void Pcmpgtb() => AllPairs(Code.Pcmpgtb_xmm_xmmm128, (a, b) => Vector128.GreaterThan(a.AsSByte(), b.AsSByte()).AsByte());
    [Fact] public void Paddb() => AllPairs(Code.Paddb_xmm_xmmm128, (a, b) => a + b);
    [Fact] public void Psubb() => AllPairs(Code.Psubb_xmm_xmmm128, (a, b) => a - b);
}
