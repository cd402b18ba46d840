using Iced.Intel;
using UserEmu.Cpu.X86;
using F = UserEmu.Cpu.X86.AvxFmaHelpers;

namespace UserEmu.Frontend.X86;

/// <summary>FMA3: every vfm*/vfnm* mnemonic, registered from its name (operation, operand order, element type).</summary>
static class InstEmitFma
{
    // Listed, not parsed from their names: Enum.TryParse over Iced's ~1800 mnemonics read the enum's reflection
    // metadata, a millisecond of every start.
    static readonly (Mnemonic M, F.Order Order, bool NegProduct, bool NegAddend, F.Alternate Alt, bool Single, bool Scalar)[] Forms =
        [
            (Mnemonic.Vfmadd132ps, F.Order.F132, false, false, F.Alternate.None, true, false),
            (Mnemonic.Vfmadd132pd, F.Order.F132, false, false, F.Alternate.None, false, false),
            (Mnemonic.Vfmadd132ss, F.Order.F132, false, false, F.Alternate.None, true, true),
            (Mnemonic.Vfmadd132sd, F.Order.F132, false, false, F.Alternate.None, false, true),
            (Mnemonic.Vfmadd213ps, F.Order.F213, false, false, F.Alternate.None, true, false),
            (Mnemonic.Vfmadd213pd, F.Order.F213, false, false, F.Alternate.None, false, false),
            (Mnemonic.Vfmadd213ss, F.Order.F213, false, false, F.Alternate.None, true, true),
            (Mnemonic.Vfmadd213sd, F.Order.F213, false, false, F.Alternate.None, false, true),
            (Mnemonic.Vfmadd231ps, F.Order.F231, false, false, F.Alternate.None, true, false),
            (Mnemonic.Vfmadd231pd, F.Order.F231, false, false, F.Alternate.None, false, false),
            (Mnemonic.Vfmadd231ss, F.Order.F231, false, false, F.Alternate.None, true, true),
            (Mnemonic.Vfmadd231sd, F.Order.F231, false, false, F.Alternate.None, false, true),
            (Mnemonic.Vfmsub132ps, F.Order.F132, false, true, F.Alternate.None, true, false),
            (Mnemonic.Vfmsub132pd, F.Order.F132, false, true, F.Alternate.None, false, false),
            (Mnemonic.Vfmsub132ss, F.Order.F132, false, true, F.Alternate.None, true, true),
            (Mnemonic.Vfmsub132sd, F.Order.F132, false, true, F.Alternate.None, false, true),
            (Mnemonic.Vfmsub213ps, F.Order.F213, false, true, F.Alternate.None, true, false),
            (Mnemonic.Vfmsub213pd, F.Order.F213, false, true, F.Alternate.None, false, false),
            (Mnemonic.Vfmsub213ss, F.Order.F213, false, true, F.Alternate.None, true, true),
            (Mnemonic.Vfmsub213sd, F.Order.F213, false, true, F.Alternate.None, false, true),
            (Mnemonic.Vfmsub231ps, F.Order.F231, false, true, F.Alternate.None, true, false),
            (Mnemonic.Vfmsub231pd, F.Order.F231, false, true, F.Alternate.None, false, false),
            (Mnemonic.Vfmsub231ss, F.Order.F231, false, true, F.Alternate.None, true, true),
            (Mnemonic.Vfmsub231sd, F.Order.F231, false, true, F.Alternate.None, false, true),
            (Mnemonic.Vfnmadd132ps, F.Order.F132, true, false, F.Alternate.None, true, false),
            (Mnemonic.Vfnmadd132pd, F.Order.F132, true, false, F.Alternate.None, false, false),
            (Mnemonic.Vfnmadd132ss, F.Order.F132, true, false, F.Alternate.None, true, true),
            (Mnemonic.Vfnmadd132sd, F.Order.F132, true, false, F.Alternate.None, false, true),
            (Mnemonic.Vfnmadd213ps, F.Order.F213, true, false, F.Alternate.None, true, false),
            (Mnemonic.Vfnmadd213pd, F.Order.F213, true, false, F.Alternate.None, false, false),
            (Mnemonic.Vfnmadd213ss, F.Order.F213, true, false, F.Alternate.None, true, true),
            (Mnemonic.Vfnmadd213sd, F.Order.F213, true, false, F.Alternate.None, false, true),
            (Mnemonic.Vfnmadd231ps, F.Order.F231, true, false, F.Alternate.None, true, false),
            (Mnemonic.Vfnmadd231pd, F.Order.F231, true, false, F.Alternate.None, false, false),
            (Mnemonic.Vfnmadd231ss, F.Order.F231, true, false, F.Alternate.None, true, true),
            (Mnemonic.Vfnmadd231sd, F.Order.F231, true, false, F.Alternate.None, false, true),
            (Mnemonic.Vfnmsub132ps, F.Order.F132, true, true, F.Alternate.None, true, false),
            (Mnemonic.Vfnmsub132pd, F.Order.F132, true, true, F.Alternate.None, false, false),
            (Mnemonic.Vfnmsub132ss, F.Order.F132, true, true, F.Alternate.None, true, true),
            (Mnemonic.Vfnmsub132sd, F.Order.F132, true, true, F.Alternate.None, false, true),
            (Mnemonic.Vfnmsub213ps, F.Order.F213, true, true, F.Alternate.None, true, false),
            (Mnemonic.Vfnmsub213pd, F.Order.F213, true, true, F.Alternate.None, false, false),
            (Mnemonic.Vfnmsub213ss, F.Order.F213, true, true, F.Alternate.None, true, true),
            (Mnemonic.Vfnmsub213sd, F.Order.F213, true, true, F.Alternate.None, false, true),
            (Mnemonic.Vfnmsub231ps, F.Order.F231, true, true, F.Alternate.None, true, false),
            (Mnemonic.Vfnmsub231pd, F.Order.F231, true, true, F.Alternate.None, false, false),
            (Mnemonic.Vfnmsub231ss, F.Order.F231, true, true, F.Alternate.None, true, true),
            (Mnemonic.Vfnmsub231sd, F.Order.F231, true, true, F.Alternate.None, false, true),
            (Mnemonic.Vfmaddsub132ps, F.Order.F132, false, false, F.Alternate.AddSub, true, false),
            (Mnemonic.Vfmaddsub132pd, F.Order.F132, false, false, F.Alternate.AddSub, false, false),
            (Mnemonic.Vfmaddsub213ps, F.Order.F213, false, false, F.Alternate.AddSub, true, false),
            (Mnemonic.Vfmaddsub213pd, F.Order.F213, false, false, F.Alternate.AddSub, false, false),
            (Mnemonic.Vfmaddsub231ps, F.Order.F231, false, false, F.Alternate.AddSub, true, false),
            (Mnemonic.Vfmaddsub231pd, F.Order.F231, false, false, F.Alternate.AddSub, false, false),
            (Mnemonic.Vfmsubadd132ps, F.Order.F132, false, false, F.Alternate.SubAdd, true, false),
            (Mnemonic.Vfmsubadd132pd, F.Order.F132, false, false, F.Alternate.SubAdd, false, false),
            (Mnemonic.Vfmsubadd213ps, F.Order.F213, false, false, F.Alternate.SubAdd, true, false),
            (Mnemonic.Vfmsubadd213pd, F.Order.F213, false, false, F.Alternate.SubAdd, false, false),
            (Mnemonic.Vfmsubadd231ps, F.Order.F231, false, false, F.Alternate.SubAdd, true, false),
            (Mnemonic.Vfmsubadd231pd, F.Order.F231, false, false, F.Alternate.SubAdd, false, false),
        ];

    public static void Install(X86EmitterTable t)
    {
        foreach (var (m, order, negP, negA, alt, single, scalar) in Forms)
            t[m] = e => Emit(e, order, negP, negA, single, scalar, alt);
    }

    static void Emit(X86Emitter e, F.Order order, bool negP, bool negA, bool single, bool scalar, F.Alternate alt)
    {
        bool ymm = e.Insn.GetOpRegister(0).IsYMM();
        int bytes = scalar ? (single ? 4 : 8) : ymm ? 32 : 16;
        int src3 = InstEmitAvxMove.Stage(e, 2, bytes);
        e.VecCall(F.Fma, e.VecReg(0), src3, 0, F.Pack(e.VecReg(1), order, negP, negA, single, scalar, ymm, alt));
    }
}
