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

    // Per op: whether its code is left to the stubs of the deferred store it computes the value of (SinkDeferredValues).
    bool[] _sunk = new bool[256];
    // Per deferred store op: the op computing its value in the stubs (an add, sub or logic op), or -1; and the
    // extension after it (a ZExt or SExt op), or -1.
    int[] _sunkAlu = new int[256], _sunkExt = new int[256];

    /// <summary>
    /// Leaves out of the fast path the computation of a value only a deferred store writes: `cmp` records its
    /// difference as the lazy flags' CcDst, which the next `cmp` overwrites and only a stub (a fault on an access in
    /// between) would store, yet the sub and its zero-extension ran, and held a register, on every pass (gzip's
    /// longest_match compares byte after byte). The stubs compute it from the op's operands, which stay live there.
    /// </summary>
    /// <remarks>
    /// Only where no op between the computation and the store can leave for the managed side (an access, a helper, a
    /// side exit): the interpreter taking over there would run the store and read the value from the frame.
    /// </remarks>
    void SinkDeferredValues(ReadOnlySpan<IrInstr> code)
    {
        if (_sunk.Length < code.Length)
        {
            _sunk = new bool[Math.Max(code.Length, 2 * _sunk.Length)];
            _sunkAlu = new int[_sunk.Length];
            _sunkExt = new int[_sunk.Length];
        }
        Array.Clear(_sunk, 0, code.Length);
        for (int n = 0; n < _deferred.Count; n++)
        {
            int k = _deferred[n];
            _sunkAlu[k] = _sunkExt[k] = -1;
            if (!ReadOnlyAt(code[k].A, k, code, out int d)) continue;
            int ext = -1;
            if (code[d].Op is IrOp.ZExt or IrOp.SExt)
            {
                if (code[d].Size is not (1 or 2 or 4)) continue;
                ext = d;
                if (!ReadOnlyAt(code[ext].A, ext, code, out d)) continue;
            }
            ref readonly var alu = ref code[d];
            if (alu.Op is not (IrOp.Add or IrOp.Sub or IrOp.And or IrOp.Or or IrOp.Xor)) continue;
            if (!SinkableOperand(alu.A, d) || !SinkableOperand(alu.B, d) || (alu.A < _pure && alu.B < _pure)) continue;
            _sunkAlu[k] = d;
            _sunkExt[k] = ext;
            _sunk[d] = true;
            if (ext >= 0) _sunk[ext] = true;
        }
    }

    // Whether temp t is read by op `at` alone and defined once, at `def`, before it, with nothing in between that leaves
    // native code (ComputeLiveRanges' results).
    bool ReadOnlyAt(ushort t, int at, ReadOnlySpan<IrInstr> code, out int def)
    {
        def = t >= _pure ? _def[t] : -1;
        if (def < 0 || def >= at || _inFrame[t] || _uses[t] != 1) return false;
        for (int j = def + 1; j < at; j++)
            if (!StaysNative(code[j].Op)) return false;
        return true;
    }

    // Ops that never leave for the managed side (no stub, no exit): between a sunk computation and its store.
    static bool StaysNative(IrOp op) => op is IrOp.Nop or IrOp.InsnStart or IrOp.Const or IrOp.Mov or IrOp.LoadState
        or IrOp.StoreState or IrOp.Add or IrOp.Sub or IrOp.And or IrOp.Or or IrOp.Xor or IrOp.ZExt or IrOp.SExt
        or IrOp.CmpEq or IrOp.CmpNe or IrOp.CmpLtU or IrOp.CmpLeU or IrOp.CmpLtS or IrOp.CmpLeS;

    // A constant that fits an immediate, or a temp defined once before `at` that another op reads too (one the sunk op
    // alone read could live in rax only, and the stubs would find it nowhere).
    bool SinkableOperand(ushort t, int at) =>
        t < _pure ? Fits32(_constants[t]) : _uses[t] >= 2 && !_inFrame[t] && _def[t] >= 0 && _def[t] < at;

    // Per deferred store op: the temp its value is a constant offset from (_rematOffset), which stays live instead of
    // the value itself, or -1.
    int[] _rematRoot = new int[256];
    long[] _rematOffset = new long[256];

    // The value a deferred store writes (or, sunk, the operands it is computed from) must still be at hand at every
    // access before its cover. Temps of sunk ops are never computed where they stand: no register, no frame slot read.
    // A value that is a base temp plus a constant (each pop's new RSP: MemoryAccessGroups.BaseOf) is computed again in
    // the stubs from that base, which stays live instead: six pops had kept six RSP values live to the epilogue's end,
    // and fib's spilled one.
    void KeepDeferredValuesLive(ReadOnlySpan<IrInstr> code)
    {
        if (_rematRoot.Length < code.Length)
        {
            _rematRoot = new int[Math.Max(code.Length, 2 * _rematRoot.Length)];
            _rematOffset = new long[_rematRoot.Length];
        }
        // A stub or group exit computes a dropped address from the temp its accesses address off wherever the managed
        // side may read it (MaterializeElided): up to its last read in the block as translated, which may be a
        // deferred store left out of both the fast path and the stubs.
        for (int n = 0; n < _elided.Count; n++)
            _lastUse[_elided[n].Base] = Math.Max(_lastUse[_elided[n].Base], _elided[n].LastUse);
        for (int n = 0; n < _deferred.Count; n++)
        {
            int k = _deferred[n];
            _rematRoot[k] = -1;
            if (RecomputedFrom(k, code[k], out ushort root, out long offset))
            {
                _rematRoot[k] = root;
                _rematOffset[k] = offset;
                _uses[root]++;
                _lastUse[root] = Math.Max(_lastUse[root], _cover[k] - 1);
                continue;
            }
            if (_sunkAlu[k] >= 0)
            {
                ref readonly var alu = ref code[_sunkAlu[k]];
                foreach (ushort t in (ReadOnlySpan<ushort>)[alu.A, alu.B])
                    if (t >= _pure) _lastUse[t] = Math.Max(_lastUse[t], _cover[k] - 1);
                _inFrame[alu.Dst] = true;
                if (_sunkExt[k] >= 0) _inFrame[code[_sunkExt[k]].Dst] = true;
                continue;
            }
            ushort v = code[k].A;
            if (v < _pure) continue;
            _uses[v]++;
            _lastUse[v] = Math.Max(_lastUse[v], _cover[k] - 1);
        }
    }

    // Whether deferred store k's value is a temp plus a constant that stays live instead of the value: the base its
    // folded accesses address off (FoldAddresses dropped the value, counting on this), or its group's root (each pop's
    // new RSP).
    bool RecomputedFrom(int k, in IrInstr s, out ushort root, out long offset)
    {
        if (IsElided(s.A))
        {
            root = _foldBase[s.A];
            offset = _foldOffset[s.A];
            return true;
        }
        root = 0;
        offset = 0;
        return _sunkAlu[k] < 0 && _grouped && s.Size == 8 && _groups.BaseOf(s.A, out root, out offset) && root != s.A
            && root >= _pure && !_inFrame[root] && _def[root] >= 0 && _def[root] < k && Fits32((ulong)offset);
    }

    // In a stub: rax = the value of deferred store k, computed by its sunk ops.
    void ComputeSunkValue(int k)
    {
        ref readonly var alu = ref _code[_sunkAlu[k]];
        _rax = -1;
        MoveInto(RAX, alu.A, narrow: false);
        var codes = AluCodesOf(alu.Op);
        OperateWith(codes.Rm64, codes.Imm64, RAX, alu.B, narrow: false, fromRax: false);
        if (_sunkExt[k] >= 0) ExtendInPlace(_code[_sunkExt[k]].Op, _code[_sunkExt[k]].Size, RAX);
        _rax = -1;
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
            if (_sunkAlu[k] >= 0)
            {
                ComputeSunkValue(k);
                StoreSized(StateOperand(s.Imm), s.Size, RAX);
                continue;
            }
            if (_rematRoot[k] >= 0)
            {
                LoadTemp(RAX, (ushort)_rematRoot[k]);
                E(Instruction.Create(Code.Lea_r64_m, RAX, new MemoryOperand(RAX, _rematOffset[k])));
                _rax = -1;
                StoreSized(StateOperand(s.Imm), s.Size, RAX);
                continue;
            }
            StoreStateFrom(s.A, s.Imm, s.Size);
        }
    }

    bool IsDeferred(int k) => _cover[k] >= 0;
}
