using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

// NativeBlockCompiler, continued: state stores that a later store overwrites are made only where something could see them.
public sealed unsafe partial class NativeBlockCompiler
{
    readonly record struct LaterStore(long Offset, int Size, int Op);

    // Per op of the block: for a deferred StoreState, the op that overwrites it (its cover); -1 for every other op.
    int[] _cover = new int[256];
    // The deferred stores in op order.
    readonly ScratchList<int> _deferred = new();

    /// <summary>
    /// Finds the StoreStates a later store in the block fully overwrites with only guest accesses in between (no state
    /// load of those bytes, no helper call, no exit). Those are left out of the fast path: a guest access in between
    /// that goes to the managed side (where it may fault, and the signal frame must see precise state) makes them in
    /// its out-of-line stub first. The optimiser's dead-store pass cannot drop them, since it must assume every access
    /// faults; here only the slow path pays.
    /// </summary>
    /// <remarks>
    /// A store that is not overwritten but overlaps a later store ends that later store's power to cover earlier ones:
    /// otherwise a deferred older store made at a fault point would clobber the newer bytes.
    /// <para>When no successor reads the lazy flags before setting them (<see cref="PreparedBlock.FlagsDeadAtExit"/>),
    /// the direct exit covers the lazy-flag fields: the optimiser kept such a store only because an access after it
    /// may fault (gzip's longest_match loop: an add's three flag stores before the byte compare that ends the block).</para>
    /// </remarks>
    void FindDeferredStores(ReadOnlySpan<IrInstr> code, bool flagsDeadAtExit)
    {
        if (_cover.Length < code.Length) _cover = new int[Math.Max(code.Length, 2 * _cover.Length)];
        for (int k = 0; k < code.Length; k++) _cover[k] = -1;
        _deferred.Clear();
        // The later stores that may cover earlier ones.
        Span<LaterStore> later = stackalloc LaterStore[32];
        int count = 0;
        for (int k = code.Length - 1; k >= 0; k--)
        {
            ref readonly var i = ref code[k];
            if (k == code.Length - 1 && flagsDeadAtExit && i.Op is IrOp.Jump or IrOp.Branch)
            {
                later[count++] = new LaterStore(CpuState.OffCcOp, 4, k);
                foreach (int field in Optimizer.DeadStateStores.LazyFlagFields) later[count++] = new LaterStore(field, 8, k);
                continue;
            }
            switch (i.Op)
            {
                case IrOp.StoreState:
                {
                    int cover = -1;
                    for (int j = 0; j < count; j++)
                        if (later[j].Offset <= i.Imm && i.Imm + i.Size <= later[j].Offset + later[j].Size && (cover < 0 || later[j].Op < cover))
                            cover = later[j].Op;
                    if (cover >= 0)
                    {
                        _cover[k] = cover;
                        break;
                    }
                    RemoveOverlapping(later, ref count, i.Imm, i.Size);
                    if (count < later.Length) later[count++] = new LaterStore(i.Imm, i.Size, k);
                    break;
                }
                case IrOp.LoadState:
                    RemoveOverlapping(later, ref count, i.Imm, i.Size);
                    break;
                case IrOp.Load or IrOp.Store or IrOp.PureCall or IrOp.Nop:
                    break; // Accesses are the points this is for; pure helpers never see state; Nops are folded addresses.
                case IrOp.SideExit:
                    // Made before the side exit, not on its way out: a taken exit whose stores were out of line took two
                    // host jumps. Only lazy-flag state its target sets first stays deferrable past it, and the exit
                    // need not show that: a side exit makes no deferred store.
                    for (int j = 0; j < count; j++)
                    {
                        if (i.Aux == 0 || !Optimizer.DeadStateStores.IsLazyFlagField(later[j].Offset, later[j].Size))
                        {
                            later[j] = later[--count];
                            j--;
                        }
                    }
                    break;
                default:
                    if (!PreparedBlock.Defines(i.Op) || i.Op == IrOp.Call) count = 0;
                    break;
            }
        }
        // Deferred stores with no access before their cover are simply dead.
        for (int k = 0; k < code.Length; k++)
        {
            if (_cover[k] < 0) continue;
            bool seen = false;
            for (int f = k + 1; f < _cover[k] && !seen; f++) seen = code[f].Op is IrOp.Load or IrOp.Store;
            if (seen) _deferred.Add(k);
        }
    }

    static void RemoveOverlapping(Span<LaterStore> later, ref int count, long offset, int size)
    {
        for (int j = 0; j < count; j++)
        {
            if (later[j].Offset < offset + size && offset < later[j].Offset + later[j].Size)
            {
                later[j] = later[--count];
                j--;
            }
        }
    }

    // The value a deferred store writes must still be at hand at every access before its cover.
    void KeepDeferredValuesLive(ReadOnlySpan<IrInstr> code)
    {
        for (int n = 0; n < _deferred.Count; n++)
        {
            int k = _deferred[n];
            ushort v = code[k].A;
            if (v < _pure) continue;
            _uses[v]++;
            _lastUse[v] = Math.Max(_lastUse[v], _cover[k] - 1);
        }
    }

    // In the stub of access f: the deferred stores it may have to show, in program order.
    void MakeDeferredStores(int f)
    {
        for (int n = 0; n < _deferred.Count; n++)
        {
            int k = _deferred[n];
            if (k >= f) break;
            if (_cover[k] <= f) continue;
            ref readonly var s = ref _code[k];
            StoreStateFrom(s.A, s.Imm, s.Size);
        }
    }

    bool IsDeferred(int k) => _cover[k] >= 0;
}
