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

    /// <summary>The code named <paramref name="name"/> (as Enum.TryParse, without its reflection).</summary>
    public static bool TryParse(string name, out Code code)
    {
        var byName = CodesByName;
        int lo = 0, hi = byName.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            int order = string.CompareOrdinal(Names[byName[mid]], name);
            if (order == 0)
            {
                code = (Code)byName[mid];
                return true;
            }
            if (order < 0) lo = mid + 1;
            else hi = mid;
        }
        code = Code.INVALID;
        return false;
    }
}
