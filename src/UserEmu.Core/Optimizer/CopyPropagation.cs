using System.Runtime.CompilerServices;
using UserEmu.IR;

namespace UserEmu.Optimizer;

/// <summary>Makes every use of a copy (<c>t5 = t1</c>, left by state forwarding and by folding) use the original temp, so the copy dies.</summary>
/// <remarks>
/// Temps are assigned once, so a copy's source never changes after the copy. Done as constant folding walks the block
/// (<see cref="ConstantFolding.Run"/>), op by op: each op's operands first, then the copy it may have become. Two passes
/// of their own, before and after folding, were a fifth of the optimiser's time.
/// </remarks>
static class CopyPropagation
{
    // Per thread, reused across blocks (set for every temp below).
    [ThreadStatic] static ushort[]? t_source;

    /// <summary>The temps' sources for a block of <paramref name="tempCount"/> temps: each its own.</summary>
    public static ushort[] Begin(int tempCount)
    {
        var source = t_source is { } s && s.Length >= tempCount ? s : t_source = new ushort[Math.Max(tempCount, 256)];
        for (int t = 0; t < tempCount; t++) source[t] = (ushort)t;
        return source;
    }

    /// <summary>Points <paramref name="i"/>'s temp operands at the temps they copy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Substitute(ref IrInstr i, ushort[] source)
    {
        int n = DeadTemps.TempOperands(i.Op);
        if (n >= 1) i.A = source[i.A];
        if (n >= 2) i.B = source[i.B];
        if (n >= 3) i.C = source[i.C];
    }

    /// <summary>After <paramref name="i"/> (operands substituted): a copy's uses will read its source.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Record(in IrInstr i, ushort[] source)
    {
        if (i.Op == IrOp.Mov) source[i.Dst] = i.A;
    }
}
