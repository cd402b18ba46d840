using System.Numerics;
using System.Runtime.Intrinsics;
using UserEmu.Engine;
using static UserEmu.Cpu.X86.PackedLanes;

namespace UserEmu.Cpu.X86;

/// <summary>
/// SSE4.2 pcmpestri/pcmpestrm/pcmpistri/pcmpistrm: the imm8-controlled string compare of operand 1 (dst register,
/// "xmm1") against operand 2 (src, "xmm2/m128"), with explicit lengths (RAX/RDX) or implicit ones (first zero lane).
/// </summary>
[UserEmu.IR.VectorStateOnly]
public static class SseStringCompare
{
    /// <summary>Extra bits of the helper imm.</summary>
    public const int ExplicitLengths = 1, WantMask = 2;

    /// <summary>
    /// Runs the compare; <paramref name="lenA"/>/<paramref name="lenB"/> are the sign-extended RAX/EAX and RDX/EDX
    /// (explicit forms). The mask forms write XMM0 here. Returns ECX (index forms) in the low 32 bits and the new
    /// RFLAGS arithmetic bits (CF ZF SF OF; AF = PF = 0) in the high 32 bits.
    /// </summary>
    public static ulong Compare(Vcpu c, ulong lenA, ulong lenB, long imm)
    {
        int ctl = VectorHelpers.Imm8(imm), extra = VectorHelpers.Extra(imm);
        bool words = (ctl & 1) != 0, signed = (ctl & 2) != 0;
        int upper = words ? 8 : 16;
        var x = D<byte>(c, imm);
        var y = S<byte>(c, imm);
        int la, lb;
        if ((extra & ExplicitLengths) != 0)
        {
            la = ExplicitLength((long)lenA, upper);
            lb = ExplicitLength((long)lenB, upper);
        }
        else
        {
            la = ImplicitLength(x, words);
            lb = ImplicitLength(y, words);
        }

        uint res1 = Aggregate(x, y, la, lb, ctl, words, signed, upper);
        uint all = (1u << upper) - 1;
        uint res2 = ((ctl >> 4) & 3) switch
        {
            1 => ~res1,
            3 => res1 ^ ((1u << lb) - 1), // masked negation: only the valid lanes of operand 2 flip
            _ => res1,
        } & all;

        ulong flags = (res2 != 0 ? 1UL : 0) | (lb < upper ? 0x40UL : 0) | (la < upper ? 0x80UL : 0) | ((res2 & 1) != 0 ? 0x800UL : 0);
        ulong ecx = 0;
        if ((extra & WantMask) != 0)
        {
            ref var xmm0 = ref R<byte>(c, 0);
            if ((ctl & 0x40) == 0)
            {
                xmm0 = Vector128.Create((ulong)res2, 0).AsByte();
            }
            else
            {
                Vector128<byte> m = default;
                int lane = words ? 2 : 1;
                for (int i = 0; i < upper; i++)
                    if ((res2 >> i & 1) != 0)
                        for (int k = 0; k < lane; k++) Lane(ref m, i * lane + k) = 0xff;
                xmm0 = m;
            }
        }
        else
        {
            ecx = res2 == 0 ? (ulong)upper : (ctl & 0x40) == 0 ? (ulong)BitOperations.TrailingZeroCount(res2) : (ulong)(31 - BitOperations.LeadingZeroCount(res2));
        }
        return ecx | flags << 32;
    }

    /// <summary>|length| saturated to the lane count (the SDM's rule for EAX/EDX and RAX/RDX).</summary>
    static int ExplicitLength(long v, int upper)
    {
        if (v < 0) v = v == long.MinValue ? upper : -v;
        return v > upper ? upper : (int)v;
    }

    static int ImplicitLength(Vector128<byte> v, bool words)
    {
        int upper = words ? 8 : 16;
        for (int i = 0; i < upper; i++)
            if (Element(v, i, words, false) == 0) return i;
        return upper;
    }

    static int Element(Vector128<byte> v, int i, bool words, bool signed) =>
        words ? (signed ? (short)(v[2 * i] | v[2 * i + 1] << 8) : v[2 * i] | v[2 * i + 1] << 8)
              : (signed ? (sbyte)v[i] : v[i]);

    /// <summary>IntRes1: one bit per lane of operand 2 (or per start position for "equal ordered").</summary>
    static uint Aggregate(Vector128<byte> x, Vector128<byte> y, int la, int lb, int ctl, bool words, bool signed, int upper)
    {
        uint res = 0;
        switch ((ctl >> 2) & 3)
        {
            case 0: // equal any: y[i] is one of x[0..la)
                for (int i = 0; i < lb; i++)
                {
                    int yi = Element(y, i, words, signed);
                    for (int j = 0; j < la; j++)
                        if (Element(x, j, words, signed) == yi) { res |= 1u << i; break; }
                }
                break;
            case 1: // ranges: x holds pairs [lo, hi]; an odd trailing bound has no partner and never matches
                for (int i = 0; i < lb; i++)
                {
                    int yi = Element(y, i, words, signed);
                    for (int j = 0; j + 1 < la; j += 2)
                        if (Element(x, j, words, signed) <= yi && yi <= Element(x, j + 1, words, signed)) { res |= 1u << i; break; }
                }
                break;
            case 2: // equal each: lanes past both lengths compare equal, past one length unequal
                for (int i = 0; i < upper; i++)
                {
                    bool va = i < la, vb = i < lb;
                    bool eq = va && vb ? Element(x, i, words, signed) == Element(y, i, words, signed) : !va && !vb;
                    if (eq) res |= 1u << i;
                }
                break;
            default: // equal ordered: does the needle x[0..la) start at y[i]? lanes past the needle match anything
                for (int i = 0; i < upper; i++)
                {
                    bool match = true;
                    for (int k = 0; k < upper - i && k < la; k++)
                    {
                        if (i + k >= lb || Element(x, k, words, signed) != Element(y, i + k, words, signed)) { match = false; break; }
                    }
                    if (match) res |= 1u << i;
                }
                break;
        }
        return res;
    }
}
