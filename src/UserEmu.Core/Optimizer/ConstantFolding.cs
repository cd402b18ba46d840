using UserEmu.Cpu.X86;
using UserEmu.Host;
using UserEmu.IR;

namespace UserEmu.Optimizer;

/// <summary>
/// Evaluates pure ops whose inputs are constants at translation time (address arithmetic, immediates, x86
/// zero-extension of constants), and turns ops that give back one of their operands into copies: x + 0, x | 0, x ^ 0,
/// x - 0, shifts by 0, x * 1, x &amp; -1, x &amp; x, x | x, and zero-extensions or masks of values already that narrow (the frontend
/// zero-extends every 32-bit result and forms [base] addresses as 0 + base); x - x and x ^ x become 0.
/// </summary>
/// <remarks>IR arithmetic is on 64 bits (only rotates take a size), so the identities are exact. Copy propagation runs
/// along (<see cref="CopyPropagation"/>): each op reads through the copies before it, and dead-temp removal drops them.</remarks>
static class ConstantFolding
{
    [ThreadStatic] static bool[]? t_known;
    [ThreadStatic] static ulong[]? t_value;
    [ThreadStatic] static byte[]? t_width;
    [ThreadStatic] static int[]? t_def;
    [ThreadStatic] static ushort[]? t_root;

    public static void Run(Span<IrInstr> code, int tempCount)
    {
        // Per temp: whether it is a known constant, its value, and how many low bits can be non-zero.
        // Per thread, reused across blocks: known is cleared, value is read only where known, width is set below.
        if (t_known == null || t_known.Length < tempCount)
        {
            int n = Math.Max(tempCount, 256);
            (t_known, t_value, t_width, t_def, t_root) = (new bool[n], new ulong[n], new byte[n], new int[n], new ushort[n]);
        }
        var known = t_known;
        var value = t_value!;
        var width = t_width!;
        var def = t_def!;
        var root = t_root!;
        Array.Clear(known, 0, tempCount);
        for (int t = 0; t < tempCount; t++)
        {
            width[t] = 64;
            def[t] = -1;
            root[t] = (ushort)t;
        }
        // The temp a copy (folded or not) was made from, while neither has been redefined since.
        ushort Root(ushort t) => root[t] != t && def[root[t]] < def[t] ? root[t] : t;
        var source = CopyPropagation.Begin(tempCount);
        for (int k = 0; k < code.Length; k++)
        {
            ref var i = ref code[k];
            CopyPropagation.Substitute(ref i, source);
            // A copy's uses read its source even where folding makes the copy a constant (one temp for the value).
            CopyPropagation.Record(in i, source);
            switch (i.Op)
            {
                case IrOp.Const:
                    known[i.Dst] = true;
                    value[i.Dst] = (ulong)i.Imm;
                    break;
                case IrOp.Mov or IrOp.Neg or IrOp.Not or IrOp.ZExt or IrOp.SExt or IrOp.Bswap when known[i.A]:
                    Fold(ref i, IrEval.Unary(i.Op, value[i.A], i.Size), known, value);
                    break;
                case IrOp.Add or IrOp.Sub or IrOp.And or IrOp.Or or IrOp.Xor or IrOp.Shl or IrOp.Shr or IrOp.Sar or IrOp.Rol or IrOp.Ror
                    or IrOp.Mul or IrOp.MulHiU or IrOp.MulHiS or IrOp.CmpEq or IrOp.CmpNe or IrOp.CmpLtU or IrOp.CmpLeU
                    or IrOp.CmpLtS or IrOp.CmpLeS when known[i.A] && known[i.B]:
                    Fold(ref i, IrEval.Binary(i.Op, value[i.A], value[i.B], i.Size), known, value);
                    break;
                case IrOp.PureCall when known[i.A] && known[i.B] && known[i.C]:
                    Fold(ref i, CallPure(i, value), known, value);
                    break;
                case IrOp.PureCall when !known[i.A] && KnownOpUnderCarry(code, i, known, value, def) is int op:
                    // The lazy flags' CcOp, known from a store earlier in the block, packed with a carry-in its kind
                    // does not use: the op alone, which native code then evaluates without a run-time dispatch.
                    i.A = (ushort)op;
                    break;
                case IrOp.Select when known[i.A]:
                {
                    ushort pick = value[i.A] != 0 ? i.B : i.C;
                    if (known[pick]) Fold(ref i, value[pick], known, value);
                    else
                    {
                        ushort dst = i.Dst;
                        i = new IrInstr { Op = IrOp.Mov, Dst = dst, A = pick };
                    }
                    break;
                }
                case IrOp.Branch when known[i.A]:
                {
                    long target = value[i.A] != 0 ? i.Imm : i.Imm2;
                    i = new IrInstr { Op = IrOp.Jump, Imm = target };
                    break;
                }
                case IrOp.Branch when Negation(code, k, known, value, width) is int negated:
                    // jne after cmp is "branch on (x == y) ^ 1": branch on x == y with the targets swapped.
                    (i.A, i.Imm, i.Imm2) = ((ushort)negated, i.Imm2, i.Imm);
                    break;
                case IrOp.SideExit when known[i.A] && value[i.A] == 0:
                    i = default; // Never taken.
                    break;
                case IrOp.SideExit when Negation(code, k, known, value, width) is int negated:
                    // A side exit has no other target to swap: the xor that negates a compare becomes the opposite compare.
                    InvertCompare(code, def[i.A], def[negated]);
                    break;
                case IrOp.Shr when ByteSignsOfByteMask(code, i, known, value, def) is int signs:
                    // pmovmskb of a pcmpeqb/pcmpgtb result, both SWAR: the bytes' sign bits are the 0/1 bytes the
                    // compare spread to 0x00/0xff (SwarIr.SignToMask, then ByteSignBits).
                    i = new IrInstr { Op = IrOp.Mov, Dst = i.Dst, A = (ushort)signs };
                    break;
                case IrOp.CmpEq or IrOp.CmpNe when NarrowDifference(code, i, known, value, width, def) is var (x, y) && x != y:
                    // cmp r, x; je: "a - b == 0", or "zext(a - b) == 0" of operands that narrow, is "a == b" (a cmp and jcc in native code).
                    (i.A, i.B) = (x, y);
                    break;
                default:
                    Simplify(ref i, known, value, width, i.Op is IrOp.Sub or IrOp.Xor or IrOp.And or IrOp.Or && Root(i.A) == Root(i.B));
                    break;
            }
            // And so do the uses of a copy folding made.
            CopyPropagation.Record(in i, source);
            if (PreparedBlock.Defines(i.Op))
            {
                width[i.Dst] = Width(i, known, value, width);
                // A copy's root is its source's (read before this op redefines anything).
                root[i.Dst] = i.Op == IrOp.Mov ? Root(i.A) : i.Dst;
                def[i.Dst] = k;
            }
        }
    }

    /// <param name="same">A and B hold the same value (the same temp, or copies of one).</param>
    static void Simplify(ref IrInstr i, bool[] known, ulong[] value, byte[] width, bool same)
    {
        bool Is(ushort t, ulong v) => known[t] && value[t] == v;
        switch (i.Op)
        {
            case IrOp.Sub or IrOp.Xor when same:
                Fold(ref i, 0, known, value); // sbb r, r and xor r, r
                break;
            case IrOp.And or IrOp.Or when same: // test r, r
            case IrOp.Add or IrOp.Or or IrOp.Xor when Is(i.A, 0):
            case IrOp.Mul when Is(i.A, 1):
            case IrOp.And when known[i.A] && Covers(value[i.A], width[i.B]):
                Copy(ref i, i.B, known, value);
                break;
            case IrOp.Add or IrOp.Or or IrOp.Xor or IrOp.Sub or IrOp.Shl or IrOp.Shr or IrOp.Sar when Is(i.B, 0):
            case IrOp.Mul when Is(i.B, 1):
            case IrOp.And when known[i.B] && Covers(value[i.B], width[i.A]):
            case IrOp.ZExt when width[i.A] <= 8 * i.Size:
                Copy(ref i, i.A, known, value);
                break;
        }
    }

    /// <summary>
    /// For <c>((m * 0xff) &amp; 0x8080...) &gt;&gt; 7</c> where <c>m = (s &amp; 0x8080...) &gt;&gt; 7</c> (0 or 1 in each byte), each
    /// unchanged since it was computed: m (else null).
    /// </summary>
    static int? ByteSignsOfByteMask(Span<IrInstr> code, in IrInstr shr, bool[] known, ulong[] value, int[] def)
    {
        const ulong High = 0x8080_8080_8080_8080;
        int andAt = def[shr.A];
        if (!IsConst(known, value, shr.B, 7) || !OtherOperand(code, known, value, andAt, IrOp.And, High, out ushort mask)) return null;
        int mulAt = def[mask];
        if (mulAt > andAt || !OtherOperand(code, known, value, mulAt, IrOp.Mul, 0xff, out ushort m)) return null;
        int mAt = def[m];
        if (mAt > mulAt || !OtherOperand(code, known, value, mAt, IrOp.Shr, 7, out ushort s)) return null;
        return def[s] <= mAt && OtherOperand(code, known, value, def[s], IrOp.And, High, out _) ? m : null;

        static bool IsConst(bool[] known, ulong[] value, ushort t, ulong v) => known[t] && value[t] == v;
        // Op `at` is `op` of a temp and the constant c (either side for And and Mul): that temp.
        static bool OtherOperand(Span<IrInstr> code, bool[] known, ulong[] value, int at, IrOp op, ulong c, out ushort x)
        {
            x = 0;
            if (at < 0 || code[at].Op != op) return false;
            ref readonly var i = ref code[at];
            if (IsConst(known, value, i.B, c)) x = i.A;
            else if (op != IrOp.Shr && IsConst(known, value, i.A, c)) x = i.B;
            else return false;
            return true;
        }
    }

    /// <summary>
    /// For a compare of zero with <c>a - b</c>, or with <c>zext(a - b)</c> at a width both a and b fit in, a and b
    /// unchanged since the sub: a and b (else the same temp twice).
    /// </summary>
    static (ushort, ushort) NarrowDifference(Span<IrInstr> code, in IrInstr cmp, bool[] known, ulong[] value, byte[] width, int[] def)
    {
        ushort other;
        if (known[cmp.B] && value[cmp.B] == 0) other = cmp.A;
        else if (known[cmp.A] && value[cmp.A] == 0) other = cmp.B;
        else return (0, 0);
        int at = def[other], bits = 64;
        if (at < 0) return (0, 0);
        if (code[at] is { Op: IrOp.ZExt } zext)
        {
            int zextAt = at;
            at = def[zext.A];
            // The sub the zext read: not redefined between them.
            if (at < 0 || at > zextAt) return (0, 0);
            bits = 8 * zext.Size;
        }
        ref readonly var sub = ref code[at];
        if (sub.Op != IrOp.Sub || width[sub.A] > bits || width[sub.B] > bits || def[sub.A] > at || def[sub.B] > at) return (0, 0);
        return (sub.A, sub.B);
    }

    /// <summary>
    /// The 0-or-1 temp whose logical negation branch <paramref name="k"/> tests (its condition is that temp ^ 1, defined
    /// just before it but for constants), or null.
    /// </summary>
    // Op `negation` (bit ^ 1) becomes the opposite of compare op `compare` (which defined bit), if neither operand of
    // the compare is redefined in between.
    static void InvertCompare(Span<IrInstr> code, int negation, int compare)
    {
        if (compare < 0 || negation <= compare) return;
        ref readonly var c = ref code[compare];
        for (int m = compare + 1; m < negation; m++)
            if (PreparedBlock.Defines(code[m].Op) && (code[m].Dst == c.A || code[m].Dst == c.B)) return;
        var (op, a, b) = c.Op switch
        {
            IrOp.CmpEq => (IrOp.CmpNe, c.A, c.B),
            IrOp.CmpNe => (IrOp.CmpEq, c.A, c.B),
            IrOp.CmpLtU => (IrOp.CmpLeU, c.B, c.A),
            IrOp.CmpLeU => (IrOp.CmpLtU, c.B, c.A),
            IrOp.CmpLtS => (IrOp.CmpLeS, c.B, c.A),
            IrOp.CmpLeS => (IrOp.CmpLtS, c.B, c.A),
            _ => (IrOp.Nop, (ushort)0, (ushort)0),
        };
        if (op == IrOp.Nop) return;
        code[negation] = new IrInstr { Op = op, Size = c.Size, Dst = code[negation].Dst, A = a, B = b };
    }

    static int? Negation(Span<IrInstr> code, int k, bool[] known, ulong[] value, byte[] width)
    {
        ushort cond = code[k].A;
        int j = k - 1;
        while (j >= 0 && (code[j].Op is IrOp.Nop or IrOp.InsnStart || (code[j].Op == IrOp.Const && code[j].Dst != cond))) j--;
        if (j < 0 || code[j].Op != IrOp.Xor || code[j].Dst != cond) return null;
        ref readonly var x = ref code[j];
        ushort bit = known[x.B] && value[x.B] == 1 ? x.A : known[x.A] && value[x.A] == 1 ? x.B : cond;
        if (bit == cond || width[bit] > 1) return null;
        // Only constants lie between the xor and the branch: none may redefine the bit.
        for (int m = j + 1; m < k; m++)
            if (code[m].Op == IrOp.Const && code[m].Dst == bit) return null;
        return bit;
    }

    // How many low bits of the op's result can be non-zero.
    static byte Width(in IrInstr i, bool[] known, ulong[] value, byte[] width) => i.Op switch
    {
        IrOp.Const => (byte)(64 - ulong.LeadingZeroCount((ulong)i.Imm)),
        IrOp.Mov => width[i.A],
        IrOp.ZExt => Math.Min(width[i.A], (byte)(8 * i.Size)),
        IrOp.LoadState or IrOp.Load when i.Size < 8 => (byte)(8 * i.Size),
        IrOp.CmpEq or IrOp.CmpNe or IrOp.CmpLtU or IrOp.CmpLeU or IrOp.CmpLtS or IrOp.CmpLeS => 1,
        IrOp.And => Math.Min(width[i.A], width[i.B]),
        IrOp.Or or IrOp.Xor => Math.Max(width[i.A], width[i.B]),
        IrOp.Rol or IrOp.Ror when i.Size < 8 => (byte)(8 * i.Size),
        IrOp.Shr when known[i.B] => (byte)Math.Max(0, width[i.A] - (int)(value[i.B] & 63)),
        _ => 64,
    };

    // A mask keeps every bit a value of `width` bits can have.
    static bool Covers(ulong mask, int width) => width >= 64 ? mask == ulong.MaxValue : (mask | ((1UL << width) - 1)) == mask;

    static void Copy(ref IrInstr i, ushort source, bool[] known, ulong[] value)
    {
        ushort dst = i.Dst;
        i = new IrInstr { Op = IrOp.Mov, Dst = dst, A = source };
        known[dst] = known[source];
        value[dst] = value[source];
    }

    static readonly ushort s_conditionPure = HelperTable.Id(FlagHelpers.ConditionPure), s_computePure = HelperTable.Id(FlagHelpers.ComputePure);

    // For a lazy-flags helper whose packed CcOp (X86Emitter.LazyFlagsCall: op | carry-in << 32) has a known op that
    // ignores the carry-in (not adc or sbb): the temp holding that op.
    static int? KnownOpUnderCarry(ReadOnlySpan<IrInstr> code, in IrInstr i, bool[] known, ulong[] value, int[] def)
    {
        if (i.Helper != s_conditionPure && i.Helper != s_computePure) return null;
        int d = def[i.A];
        if (d < 0 || code[d].Op != IrOp.Or || code[d].Dst != i.A) return null;
        var (op, carry) = known[code[d].A] ? (code[d].A, code[d].B) : (code[d].B, code[d].A);
        if (!known[op] || value[op] > uint.MaxValue || !LazyFlags.Ignores((CcOp)value[op], CpuState.OffCcSrc2)) return null;
        int c = def[carry];
        if (c < 0 || code[c].Op != IrOp.Shl || code[c].Dst != carry || !known[code[c].B] || value[code[c].B] != 32) return null;
        return op;
    }

    static ulong CallPure(in IrInstr i, ulong[] value) =>
        HelperTable.PureFunction(i.Helper)(value[i.A], value[i.B], value[i.C], i.Imm);

    static void Fold(ref IrInstr i, ulong result, bool[] known, ulong[] value)
    {
        ushort dst = i.Dst;
        i = new IrInstr { Op = IrOp.Const, Dst = dst, Imm = (long)result };
        known[dst] = true;
        value[dst] = result;
    }
}
