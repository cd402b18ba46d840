namespace UserEmu.Cpu.X86;

public static partial class SseFloat
{
    /// <summary>cmpps/cmpss predicate (imm8 &amp; 7): EQ, LT, LE, UNORD, NEQ, NLT, NLE, ORD. LT/LE/NLT/NLE signal IE on any NaN.</summary>
    public static bool Compare(int predicate, ulong a, ulong b, bool single, uint mx, ref uint flags)
    {
        bool nan = IsNaN(a, single) || IsNaN(b, single);
        bool signaling = predicate is 1 or 2 or 5 or 6;
        if (nan)
        {
            if (signaling || IsSNaN(a, single) || IsSNaN(b, single)) flags |= Mxcsr.IE;
        }
        else
        {
            a = DenormalIn(a, single, mx, ref flags);
            b = DenormalIn(b, single, mx, ref flags);
        }
        double x = nan ? 0 : ToDouble(a, single), y = nan ? 0 : ToDouble(b, single);
        return predicate switch
        {
            0 => !nan && x == y,
            1 => !nan && x < y,
            2 => !nan && x <= y,
            3 => nan,
            4 => nan || x != y,
            5 => nan || !(x < y),
            6 => nan || !(x <= y),
            _ => !nan,
        };
    }

    /// <summary>comis/ucomis: ZF, PF, CF as RFLAGS bits (unordered 111, less 001, equal 100, greater 000).</summary>
    public static ulong CompareFlags(ulong a, ulong b, bool single, bool signaling, uint mx, ref uint flags)
    {
        const ulong CF = 1, PF = 4, ZF = 0x40;
        if (IsNaN(a, single) || IsNaN(b, single))
        {
            if (signaling || IsSNaN(a, single) || IsSNaN(b, single)) flags |= Mxcsr.IE;
            return ZF | PF | CF;
        }
        a = DenormalIn(a, single, mx, ref flags);
        b = DenormalIn(b, single, mx, ref flags);
        double x = ToDouble(a, single), y = ToDouble(b, single);
        return x < y ? CF : x == y ? ZF : 0;
    }
}
