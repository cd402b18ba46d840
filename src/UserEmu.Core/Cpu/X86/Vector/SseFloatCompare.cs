namespace UserEmu.Cpu.X86;

public static partial class SseFloat
{
    /// <summary>
    /// cmpps/cmpss predicate: 0..7 for the legacy forms (EQ, LT, LE, UNORD, NEQ, NLT, NLE, ORD), 0..31 for VEX (8..15 add
    /// EQ_UQ, NGE, NGT, FALSE, NEQ_OQ, GE, GT, TRUE; 16..31 repeat 0..15 with quiet and signaling swapped). Signaling
    /// predicates raise IE on any NaN, quiet ones on an SNaN.
    /// </summary>
    public static bool Compare(int predicate, ulong a, ulong b, bool single, uint mx, ref uint flags)
    {
        bool nan = IsNaN(a, single) || IsNaN(b, single);
        int basic = predicate & 15;
        bool signaling = (basic is 1 or 2 or 5 or 6 or 9 or 10 or 13 or 14) != (predicate >= 16);
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
        return basic switch
        {
            0 => !nan && x == y,
            1 => !nan && x < y,
            2 => !nan && x <= y,
            3 => nan,
            4 => nan || x != y,
            5 => nan || !(x < y),
            6 => nan || !(x <= y),
            7 => !nan,
            8 => nan || x == y,
            9 => nan || x < y,
            10 => nan || x <= y,
            11 => false,
            12 => !nan && x != y,
            13 => !nan && x >= y,
            14 => !nan && x > y,
            _ => true,
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
