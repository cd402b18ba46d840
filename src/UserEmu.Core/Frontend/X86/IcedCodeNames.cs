using Iced.Intel;

namespace UserEmu.Frontend.X86;

/// <summary>Every Iced <see cref="Code"/> with its name, computed once: the emitter tables derive instruction forms from the names.</summary>
static class IcedCodeNames
{
    // The non-generic Enum.GetValues and loops: the generic forms and Linq's Max over these enums have no ReadyToRun
    // code (8 methods JIT-compiled at every start).
    public static readonly Code[] All = (Code[])Enum.GetValues(typeof(Code));
    /// <summary>One more than the highest <see cref="Mnemonic"/>: the length of arrays indexed by mnemonic.</summary>
    public static readonly int MnemonicCount = Highest((Mnemonic[])Enum.GetValues(typeof(Mnemonic))) + 1;
    /// <summary>Name by <c>(int)code</c>.</summary>
    public static readonly string[] Names = BuildNames();

    static int Highest(Mnemonic[] values)
    {
        int max = 0;
        foreach (var m in values) max = Math.Max(max, (int)m);
        return max;
    }

    static string[] BuildNames()
    {
        int max = 0;
        foreach (var code in All) max = Math.Max(max, (int)code);
        var names = new string[max + 1];
        foreach (var code in All) names[(int)code] = code.ToString();
        return names;
    }
}
