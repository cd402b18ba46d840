using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace UserEmu.Tests.Cpu;

/// <summary>
/// x87 operations that pass a denormal ST(0) through unchanged (fscale by ±0, fprem/fprem1 by ±infinity) with underflow
/// unmasked: Intel hosts (and UserEmu) deliver the denormal with only DE; AMD hosts treat it as a tiny result and take the
/// unmasked-underflow path both manuals describe: UE, ES and B set, the result scaled by 2^24576.
/// </summary>
public static partial class UnmaskedUnderflow
{
    [GeneratedRegex(@"^(?<head>.*)sw=(?<sw>[0-9a-f]{4}) r=(?<se>[0-9a-f]{4}):(?<m>[0-9a-f]{16})$")]
    private static partial Regex Line();

    /// <summary>True if <paramref name="native"/> is <paramref name="emulated"/>'s "sw=.... r=exp:mantissa" line as an AMD host gives it.</summary>
    public static bool IsAmdsAnswer(string native, string emulated)
    {
        var e = Line().Match(emulated);
        if (!e.Success) return false;
        ushort sw = ushort.Parse(e.Groups["sw"].Value, NumberStyles.HexNumber);
        ushort se = ushort.Parse(e.Groups["se"].Value, NumberStyles.HexNumber);
        ulong m = ulong.Parse(e.Groups["m"].Value, NumberStyles.HexNumber);
        if ((se & 0x7FFF) != 0 || m == 0 || (sw & 0x0010) != 0) return false; // only a denormal Intel delivers without UE
        int shift = BitOperations.LeadingZeroCount(m);
        int exp = 1 - shift + 0x6000;
        string amd = $"{e.Groups["head"].Value}sw={sw | 0x8090:x4} r={(se & 0x8000) | exp:x4}:{m << shift:x16}";
        return native == amd;
    }
}
