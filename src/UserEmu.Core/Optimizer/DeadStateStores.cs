using UserEmu.IR;

namespace UserEmu.Optimizer;

/// <summary>Removes stores to vCPU state that a later store in the block overwrites before anything can observe them.</summary>
/// <remarks>
/// Observers are state loads, helper calls, block exits, and any op that can fault (the signal frame must see
/// precise state), so only stores separated from their overwrite by pure IR are dropped — typically lazy-flag
/// updates of consecutive ALU instructions.
/// </remarks>
static class DeadStateStores
{
    struct Later
    {
        public long Offset;
        public int Size;
    }

    public static void Run(IrInstr[] code)
    {
        Span<Later> later = stackalloc Later[64];
        int count = 0;
        for (int k = code.Length - 1; k >= 0; k--)
        {
            ref var i = ref code[k];
            switch (i.Op)
            {
                case IrOp.StoreState:
                    if (Covered(later[..count], i.Imm, i.Size))
                    {
                        i = default; // Nop
                        break;
                    }
                    if (count < later.Length) later[count++] = new Later { Offset = i.Imm, Size = i.Size };
                    break;
                case IrOp.LoadState:
                    for (int j = 0; j < count; j++)
                    {
                        if (later[j].Offset < i.Imm + i.Size && i.Imm < later[j].Offset + later[j].Size)
                        {
                            later[j] = later[--count];
                            j--;
                        }
                    }
                    break;
                case IrOp.Call when HelperTable.IsVectorOnly(i.Helper):
                    // It may read vector state: earlier stores there are observed.
                    for (int j = 0; j < count; j++)
                    {
                        if (VectorStateOnlyAttribute.Overlaps(later[j].Offset, later[j].Size))
                        {
                            later[j] = later[--count];
                            j--;
                        }
                    }
                    break;
                case IrOp.Load or IrOp.Store or IrOp.Call or IrOp.Jump or IrOp.JumpIndirect or IrOp.Branch or IrOp.Syscall:
                    count = 0;
                    break;
                case IrOp.InsnStart when i.Aux != 0:
                    count = 0;
                    break;
            }
        }
    }

    static bool Covered(ReadOnlySpan<Later> later, long offset, int size)
    {
        foreach (var l in later)
            if (l.Offset <= offset && offset + size <= l.Offset + l.Size) return true;
        return false;
    }
}
