using Iced.Intel;
using Xunit;
using Xunit.Abstractions;
namespace UserEmu.Tests.Cpu;
public class ZzDebugTests(ITestOutputHelper output)
{
    [Fact]
    public void Dump()
    {
        var t = new DifferentialTester(5);
        var c = t.Fuzzer.Generate(Code.Shl_rm64_CL, new FuzzOptions { Memory = true })!;
        var native = NativeHarness.Instance!.Run([c]);
        using var emu = new EmulatorRunner();
        var r = emu.Run(c, emu.Translate(c), EmulatorRunner.Backend.Il);
        output.WriteLine(c.Describe());
        output.WriteLine(c.Initial.Format());
        output.WriteLine(native[0].State.Format());
        output.WriteLine(r.State.Format());
        output.WriteLine(Convert.ToHexString(native[0].Data, 0, 64));
        output.WriteLine(Convert.ToHexString(c.Data, 0, 64));
    }
}
