using UserEmu.IR;

namespace UserEmu.Optimizer;

/// <summary>Removes pure ops whose result no later op uses (left behind by folding and forwarding).</summary>
static class DeadTemps
{
    // Per thread, reused across blocks (passes run once per translation; their arrays were garbage each time).
    [ThreadStatic] static bool[]? t_used;

    public static void Run(Span<IrInstr> code, int tempCount)
    {
        var used = t_used is { } u && u.Length >= tempCount ? u : t_used = new bool[Math.Max(tempCount, 256)];
        Array.Clear(used, 0, tempCount);
        for (int k = code.Length - 1; k >= 0; k--)
        {
            ref var i = ref code[k];
            if (IsPure(i.Op) && !used[i.Dst])
            {
                i = default;
                continue;
            }
            MarkUses(i, used);
        }
    }

    static bool IsPure(IrOp op) => op is not (IrOp.Nop or IrOp.InsnStart or IrOp.StoreState or IrOp.Load or IrOp.Store or IrOp.Call
        or IrOp.Jump or IrOp.JumpIndirect or IrOp.Branch or IrOp.Syscall or IrOp.SideExit);

    static void MarkUses(in IrInstr i, bool[] used)
    {
        int n = TempOperands(i.Op);
        if (n >= 1) used[i.A] = true;
        if (n >= 2) used[i.B] = true;
        if (n >= 3) used[i.C] = true;
    }

    /// <summary>How many of A, B, C an op reads as temps (in that order).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static int TempOperands(IrOp op) => op switch
    {
        IrOp.Nop or IrOp.InsnStart or IrOp.Const or IrOp.LoadState or IrOp.Jump or IrOp.Syscall => 0,
        IrOp.Mov or IrOp.Neg or IrOp.Not or IrOp.ZExt or IrOp.SExt or IrOp.Bswap or IrOp.StoreState or IrOp.Load
            or IrOp.JumpIndirect or IrOp.Branch or IrOp.SideExit => 1,
        IrOp.Select or IrOp.PureCall => 3,
        _ => 2,
    };
}
