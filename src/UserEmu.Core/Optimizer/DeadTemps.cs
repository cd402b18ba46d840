using UserEmu.IR;

namespace UserEmu.Optimizer;

/// <summary>Removes pure ops whose result no later op uses (left behind by folding and forwarding), and the state stores that <see cref="DeadStateStores"/> finds overwritten, in one backward pass.</summary>
static class DeadTemps
{
    // Per thread, reused across blocks (passes run once per translation; their arrays were garbage each time).
    [ThreadStatic] static bool[]? t_used;

    /// <param name="flagsDeadAtExit">No successor reads the lazy-flag state before it sets it (<see cref="IrBlock.FlagsDeadAtExit"/>).</param>
    public static void Run(Span<IrInstr> code, int tempCount, bool flagsDeadAtExit = false)
    {
        var used = t_used is { } u && u.Length >= tempCount ? u : t_used = new bool[Math.Max(tempCount, 256)];
        Array.Clear(used, 0, tempCount);
        // Dead stores first at each op: their operands are then unused here, and what computed them dies in turn.
        var stores = new DeadStateStores(flagsDeadAtExit);
        for (int k = code.Length - 1; k >= 0; k--)
        {
            ref var i = ref code[k];
            bool pure = IsPure(i.Op);
            // Of the pure ops only a state load concerns dead stores (it observes the state; the block's exit is impure).
            // A call per op had cost as much as the pass's own work (DeadStateStores.Visit: 3% of a python3 -c pass's
            // vCPU thread, most of it the call and its switch).
            if (!pure || i.Op == IrOp.LoadState) stores.Visit(code, k);
            if (pure && !used[i.Dst])
            {
                i = default;
                continue;
            }
            MarkUses(i, used);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
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
    /// <remarks>
    /// A table, not a switch: every pass asks it of every op, and the switch compiled to a jump table whose indirect
    /// jump the host mispredicted as op kinds alternate (a python3 -c pass: 27k blocks of ~43 ops, asked 5-6 times each).
    /// </remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static int TempOperands(IrOp op) => OperandCounts[(int)op];

    // Indexed by IrOp (a test checks each against its definition): 0 for Nop, InsnStart, Const, LoadState, Jump and
    // Syscall; 1 for Mov, Neg, Not, ZExt, SExt, Bswap, StoreState, Load, JumpIndirect, Branch and SideExit; 3 for
    // Select and PureCall; 2 for the rest.
    static ReadOnlySpan<byte> OperandCounts =>
    [
        0, 0, 0, 1, 0, 1,             // Nop, InsnStart, Const, Mov, LoadState, StoreState
        2, 2, 2, 2, 2,                // Add, Sub, And, Or, Xor
        2, 2, 2, 2, 2,                // Shl, Shr, Sar, Rol, Ror
        2, 2, 2,                      // Mul, MulHiU, MulHiS
        1, 1, 1, 1, 1,                // Neg, Not, ZExt, SExt, Bswap
        2, 2, 2, 2, 2, 2,             // CmpEq, CmpNe, CmpLtU, CmpLeU, CmpLtS, CmpLeS
        3,                            // Select
        1, 2, 2, 3,                   // Load, Store, Call, PureCall
        0, 1, 1, 0, 1,                // Jump, JumpIndirect, Branch, Syscall, SideExit
    ];
}
