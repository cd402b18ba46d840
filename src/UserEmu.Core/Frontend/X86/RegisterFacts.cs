using Iced.Intel;

namespace UserEmu.Frontend.X86;

/// <summary>The register facts the translator asks of nearly every operand (width, containing general register), as small tables.</summary>
/// <remarks>Iced answers each from a <c>RegisterInfo</c> struct copied out of its table: those calls were 1.4% of a
/// python3 -c pass's vCPU thread (Iced's RegisterExtensions.GetInfo, from GetReg, SetReg and the operand widths).</remarks>
static class RegisterFacts
{
    // Iced's Register values are below 256 (its own lookup checks that bound).
    const int Count = 256;
    // Widths up to 1024 bytes (AMX tiles): not a byte.
    static readonly short[] s_size = Build(r => (short)r.GetSize());
    // The index 0..15 of the 64-bit register containing a general register (every one lies in RAX..R15); -1 for others.
    static readonly sbyte[] s_gpr = Build(r => (sbyte)(r.IsGPR() ? r.GetFullRegister() - Register.RAX : -1));

    static T[] Build<T>(Func<Register, T> fact)
    {
        var table = new T[Count];
        foreach (var r in Enum.GetValues<Register>())
            if ((int)r < Count) table[(int)r] = fact(r);
        return table;
    }

    /// <summary>Width of <paramref name="r"/> in bytes (0 for <see cref="Register.None"/>).</summary>
    public static int Size(Register r) => s_size[(byte)r];

    /// <summary>Index 0..15 of the 64-bit register containing <paramref name="r"/>, or -1 if it is not a general register.</summary>
    public static int GprIndex(Register r) => s_gpr[(byte)r];
}
