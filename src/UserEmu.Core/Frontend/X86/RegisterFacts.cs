using Iced.Intel;

namespace UserEmu.Frontend.X86;

/// <summary>The register facts the translator asks of nearly every operand (width, containing general register), as byte tables.</summary>
/// <remarks>Iced answers each from a <c>RegisterInfo</c> struct copied out of its table: those calls were 1.4% of a
/// python3 -c pass's vCPU thread (Iced's RegisterExtensions.GetInfo, from GetReg, SetReg and the operand widths).</remarks>
static class RegisterFacts
{
    // Iced's Register values are below 256 (its own lookup checks that bound).
    const int Count = 256;
    static readonly byte[] s_size = Build(r => r.GetSize());
    // The index 0..15 of the 64-bit register containing a general register; 0xff for any other register.
    static readonly byte[] s_gpr = Build(r => r.IsGPR() && r.GetFullRegister() - Register.RAX is >= 0 and <= 15 and int i ? i : 0xff);

    static byte[] Build(Func<Register, int> fact)
    {
        var table = new byte[Count];
        foreach (var r in Enum.GetValues<Register>())
            if ((int)r < Count) table[(int)r] = (byte)fact(r);
        return table;
    }

    /// <summary>Width of <paramref name="r"/> in bytes (0 for <see cref="Register.None"/>).</summary>
    public static int Size(Register r) => s_size[(byte)r];

    /// <summary>Index 0..15 of the 64-bit register containing <paramref name="r"/>, or -1 if it is not a general register.</summary>
    public static int GprIndex(Register r) => s_gpr[(byte)r] is var i && i != 0xff ? i : -1;
}
