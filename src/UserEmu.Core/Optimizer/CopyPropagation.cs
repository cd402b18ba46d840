using UserEmu.IR;

namespace UserEmu.Optimizer;

/// <summary>Makes every use of a copy (<c>t5 = t1</c>, mostly left by state forwarding) use the original temp, so the copy dies.</summary>
/// <remarks>Temps are assigned once, so a copy's source never changes after the copy.</remarks>
static class CopyPropagation
{
    // Per thread, reused across blocks (set for every temp below).
    [ThreadStatic] static ushort[]? t_source;

    public static void Run(Span<IrInstr> code, int tempCount)
    {
        var source = t_source is { } s && s.Length >= tempCount ? s : t_source = new ushort[Math.Max(tempCount, 256)];
        for (int t = 0; t < tempCount; t++) source[t] = (ushort)t;
        for (int k = 0; k < code.Length; k++)
        {
            ref var i = ref code[k];
            int n = DeadTemps.TempOperands(i.Op);
            if (n >= 1) i.A = source[i.A];
            if (n >= 2) i.B = source[i.B];
            if (n >= 3) i.C = source[i.C];
            if (i.Op == IrOp.Mov) source[i.Dst] = i.A;
        }
    }
}
