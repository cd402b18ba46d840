using Iced.Intel;
using UserEmu.Cpu.X86;
using F = UserEmu.Cpu.X86.AvxFmaHelpers;

namespace UserEmu.Frontend.X86;

/// <summary>FMA3: every vfm*/vfnm* mnemonic, registered from its name (operation, operand order, element type).</summary>
static class InstEmitFma
{
    public static void Install(X86EmitterTable t)
    {
        (string Name, bool NegProduct, bool NegAddend, F.Alternate Alt)[] ops =
        [
            ("fmadd", false, false, F.Alternate.None), ("fmsub", false, true, F.Alternate.None),
            ("fnmadd", true, false, F.Alternate.None), ("fnmsub", true, true, F.Alternate.None),
            ("fmaddsub", false, false, F.Alternate.AddSub), ("fmsubadd", false, false, F.Alternate.SubAdd),
        ];
        foreach (var (name, negP, negA, alt) in ops)
            foreach (var (orderName, order) in (ReadOnlySpan<(string, F.Order)>)[("132", F.Order.F132), ("213", F.Order.F213), ("231", F.Order.F231)])
                foreach (var type in (string[])["ps", "pd", "ss", "sd"])
                {
                    if (!Enum.TryParse<Mnemonic>("V" + name + orderName + type, out var m)) continue;
                    bool single = type[1] == 's', scalar = type[0] == 's';
                    var o = order;
                    t[m] = e => Emit(e, o, negP, negA, single, scalar, alt);
                }
    }

    static void Emit(X86Emitter e, F.Order order, bool negP, bool negA, bool single, bool scalar, F.Alternate alt)
    {
        bool ymm = e.Insn.GetOpRegister(0).IsYMM();
        int bytes = scalar ? (single ? 4 : 8) : ymm ? 32 : 16;
        int src3 = InstEmitAvxMove.Stage(e, 2, bytes);
        e.VecCall(F.Fma, e.VecReg(0), src3, 0, F.Pack(e.VecReg(1), order, negP, negA, single, scalar, ymm, alt));
    }
}
