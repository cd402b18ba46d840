using Iced.Intel;

namespace UserEmu.Frontend.X86;

/// <summary>Every Iced <see cref="Code"/> with its name: the emitter tables derive instruction forms from the names.</summary>
/// <remarks>
/// The names, <c>CodeCount</c> and <c>MnemonicCount</c> are written at build time from the Iced assembly
/// (UserEmu.Generators): listing them by reflection took ~4 ms of every start.
/// </remarks>
static partial class IcedCodeNames
{
    public static readonly Code[] All = AllCodes();

    static Code[] AllCodes()
    {
        var codes = new Code[CodeCount];
        for (int i = 0; i < codes.Length; i++) codes[i] = (Code)i;
        return codes;
    }

    static Dictionary<string, Code>? s_byName;

    /// <summary>The code named <paramref name="name"/> (as Enum.TryParse, without its reflection).</summary>
    public static bool TryParse(string name, out Code code)
    {
        var byName = Volatile.Read(ref s_byName);
        if (byName == null)
        {
            // Racing threads build equal tables; either may win.
            byName = new Dictionary<string, Code>(CodeCount, StringComparer.Ordinal);
            for (int i = 0; i < CodeCount; i++) byName[Names[i]] = (Code)i;
            Volatile.Write(ref s_byName, byName);
        }
        return byName.TryGetValue(name, out code);
    }
}
