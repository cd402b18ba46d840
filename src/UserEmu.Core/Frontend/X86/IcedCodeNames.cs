using Iced.Intel;

namespace UserEmu.Frontend.X86;

/// <summary>Every Iced <see cref="Code"/> with its name, computed once: the emitter tables derive instruction forms from the names.</summary>
static class IcedCodeNames
{
    // The non-generic Enum methods and loops: the generic forms and Linq's Max over these enums have no ReadyToRun
    // code (8 methods JIT-compiled at every start); the underlying values, which NativeAOT can list without creating
    // an array type at run time.
    public static readonly Code[] All = AllCodes();
    /// <summary>One more than the highest <see cref="Mnemonic"/>: the length of arrays indexed by mnemonic.</summary>
    public static readonly int MnemonicCount = Highest(Values(typeof(Mnemonic))) + 1;
    /// <summary>Name by <c>(int)code</c>.</summary>
    public static readonly string[] Names = BuildNames();

    static int[] Values(Type e) => (int[])Enum.GetValuesAsUnderlyingType(e);

    static Code[] AllCodes()
    {
        int[] values = Values(typeof(Code));
        var codes = new Code[values.Length];
        for (int i = 0; i < values.Length; i++) codes[i] = (Code)values[i];
        return codes;
    }

    static int Highest(int[] values)
    {
        int max = 0;
        foreach (int m in values) max = Math.Max(max, m);
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
