using Iced.Intel;

namespace UserEmu.Frontend.X86;

/// <summary>Every Iced <see cref="Code"/> with its name, computed once: the emitter tables derive instruction forms from the names.</summary>
static class IcedCodeNames
{
    public static readonly Code[] All = Enum.GetValues<Code>();
    /// <summary>One more than the highest <see cref="Mnemonic"/>: the length of arrays indexed by mnemonic.</summary>
    public static readonly int MnemonicCount = (int)Enum.GetValues<Mnemonic>().Max() + 1;
    /// <summary>Name by <c>(int)code</c>.</summary>
    public static readonly string[] Names = BuildNames();

    static string[] BuildNames()
    {
        var names = new string[All.Max(c => (int)c) + 1];
        foreach (var code in All) names[(int)code] = code.ToString();
        return names;
    }
}
