using UserEmu.Cpu.X86;
using UserEmu.IR;

namespace UserEmu.Optimizer;

/// <summary>Removes stores to vCPU state that a later store in the block overwrites before anything can observe them.</summary>
/// <remarks>
/// Observers are state loads, helper calls, block exits, and any op that can fault (the signal frame must see
/// precise state), so only stores separated from their overwrite by pure IR are dropped — typically lazy-flag
/// updates of consecutive ALU instructions. A store of a constant CcOp also kills the lazy-flag fields that op
/// never reads (a logic op's CcSrc, the CcDst of materialised flags), which breaks the chain of flag computations
/// that rotates and other partial flag writers would otherwise keep alive.
/// <para>It runs inside <see cref="DeadTemps"/>' backward pass, one op at a time before that pass looks at the op.</para>
/// </remarks>
struct DeadStateStores
{
    struct Later
    {
        public long Offset;
        public int Size;
    }

    [System.Runtime.CompilerServices.InlineArray(64)]
    struct LaterStores
    {
        Later _first;
    }

    /// <summary>The lazy-flag state's 8-byte fields (CcOp, 4 bytes, is the fourth): what a block's exit covers when the flags are dead there.</summary>
    internal static readonly int[] LazyFlagFields = [CpuState.OffCcDst, CpuState.OffCcSrc, CpuState.OffCcSrc2];

    // The stores after the op being visited that overwrite bytes before anything observes them.
    LaterStores _later;
    int _count;
    readonly bool _flagsDeadAtExit;

    /// <param name="flagsDeadAtExit">No successor reads the lazy-flag state before it sets it (<see cref="IrBlock.FlagsDeadAtExit"/>): the exit does not observe it.</param>
    public DeadStateStores(bool flagsDeadAtExit) => _flagsDeadAtExit = flagsDeadAtExit;

    /// <summary>Visits op <paramref name="k"/>, the ops after it visited already (the block backwards): a store they overwrite becomes a Nop.</summary>
    /// <remarks>Called for state loads and impure ops only, the block's exit among them (<see cref="DeadTemps.Run"/>): a pure op
    /// that observed state would have to be added there too.</remarks>
    public void Visit(Span<IrInstr> code, int k)
    {
        Span<Later> later = _later;
        ref var i = ref code[k];
        if (k == code.Length - 1 && _flagsDeadAtExit && i.Op is IrOp.Jump or IrOp.Branch)
        {
            later[_count++] = new Later { Offset = CpuState.OffCcOp, Size = 4 };
            foreach (int field in LazyFlagFields) later[_count++] = new Later { Offset = field, Size = 8 };
            return;
        }
        switch (i.Op)
        {
            case IrOp.StoreState:
                if (Covered(later[.._count], i.Imm, i.Size))
                {
                    i = default; // Nop
                    break;
                }
                if (_count < later.Length) later[_count++] = new Later { Offset = i.Imm, Size = i.Size };
                if (i.Imm == CpuState.OffCcOp && ConstantAt(code, k, i.A, out long op))
                {
                    foreach (int field in LazyFlagFields)
                        if (LazyFlags.Ignores((CcOp)op, field) && _count < later.Length) later[_count++] = new Later { Offset = field, Size = 8 };
                }
                break;
            case IrOp.LoadState:
                for (int j = 0; j < _count; j++)
                {
                    if (later[j].Offset < i.Imm + i.Size && i.Imm < later[j].Offset + later[j].Size)
                    {
                        later[j] = later[--_count];
                        j--;
                    }
                }
                break;
            case IrOp.Call when HelperTable.IsVectorOnly(i.Helper):
                // It may read vector state: earlier stores there are observed.
                for (int j = 0; j < _count; j++)
                {
                    if (VectorStateOnlyAttribute.Overlaps(later[j].Offset, later[j].Size))
                    {
                        later[j] = later[--_count];
                        j--;
                    }
                }
                break;
            case IrOp.SideExit when i.Aux != 0:
                // The exit's target sets the flags before reading them: only what is not lazy-flag state is observed.
                for (int j = 0; j < _count; j++)
                {
                    if (!IsLazyFlagField(later[j].Offset, later[j].Size))
                    {
                        later[j] = later[--_count];
                        j--;
                    }
                }
                break;
            case IrOp.Load or IrOp.Store or IrOp.Call or IrOp.Jump or IrOp.JumpIndirect or IrOp.Branch or IrOp.Syscall or IrOp.SideExit:
                _count = 0;
                break;
            case IrOp.InsnStart when i.Aux != 0:
                _count = 0;
                break;
        }
    }

    /// <summary>Whether state bytes [offset, offset + size) lie within one lazy-flag field.</summary>
    internal static bool IsLazyFlagField(long offset, int size)
    {
        if (offset >= CpuState.OffCcOp && offset + size <= CpuState.OffCcOp + 4) return true;
        foreach (int field in LazyFlagFields)
            if (offset >= field && offset + size <= field + 8) return true;
        return false;
    }

    /// <summary>Whether <paramref name="temp"/>, as read by op <paramref name="at"/>, holds a constant (its reaching definition in this straight-line block is a Const).</summary>
    static bool ConstantAt(Span<IrInstr> code, int at, ushort temp, out long value)
    {
        for (int j = at - 1; j >= 0; j--)
        {
            ref readonly var d = ref code[j];
            if (!PreparedBlock.Defines(d.Op) || d.Dst != temp) continue;
            value = d.Imm;
            return d.Op == IrOp.Const;
        }
        value = 0;
        return false;
    }

    static bool Covered(ReadOnlySpan<Later> later, long offset, int size)
    {
        foreach (var l in later)
            if (l.Offset <= offset && offset + size <= l.Offset + l.Size) return true;
        return false;
    }
}
