using Iced.Intel;
using UserEmu.IR;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

// NativeBlockCompiler, continued: base + displacement addressing for grouped guest accesses.
public sealed unsafe partial class NativeBlockCompiler
{
    /// <summary>An address temp the code never computes: its accesses use its base's register and a displacement.</summary>
    readonly record struct ElidedAddress(ushort Temp, int Def, int LastUse, ushort Base, long Offset, ushort From);

    readonly ScratchList<ElidedAddress> _elided = new();
    // The folded copy of the block's code (its first ops; reused from block to block).
    IrInstr[] _foldedCode = new IrInstr[256];
    // Per op: whether the access addresses [base + _foldDisp] (its A, in the code emitted, is the base).
    bool[] _folded = new bool[256];
    int[] _foldDisp = new int[256];
    // Per op: a kept Add/Sub of a chain (a push's or pop's new RSP) turned into `Mov Dst, base`, its base + _foldDisp
    // computed by one lea (EmitRebased), so the chain's temps before it are dropped.
    bool[] _rebased = new bool[256];
    // Per temp, while folding: its reads in the block, and those that a folded access or an elided address makes.
    int[] _reads = new int[NativeBlockRunner.FrameTemps], _foldableReads = new int[NativeBlockRunner.FrameTemps];
    int[] _lastRead = new int[NativeBlockRunner.FrameTemps], _defs = new int[NativeBlockRunner.FrameTemps];
    bool[] _isElided = new bool[NativeBlockRunner.FrameTemps];
    // Per dropped address: the temp its accesses address off and the displacement (its ElidedAddress's Base and Offset).
    ushort[] _foldBase = new ushort[NativeBlockRunner.FrameTemps];
    long[] _foldOffset = new long[NativeBlockRunner.FrameTemps];

    /// <summary>
    /// The block's code with the address arithmetic of grouped accesses folded into their host addressing mode: an
    /// access at base + constant (a stack slot, a struct field) becomes <c>[r8 + base + disp]</c>, and the Add/Sub/Mov
    /// chain that computed its address is dropped (a Nop) where nothing else reads it. A copy (in a buffer reused from
    /// block to block, so its first <see cref="_n"/> ops) when anything folds.
    /// </summary>
    /// <remarks>
    /// The managed side still sees the block as translated: a stub or a group exit first computes each dropped address
    /// that the interpreter will read there (<see cref="MaterializeElided"/>). Grouped accesses only: their group's
    /// check covers the bounds, so the access itself needs its address nowhere but in the instruction.
    /// </remarks>
    IrInstr[] FoldAddresses(PreparedBlock block)
    {
        var code = block.Code;
        _elided.Clear();
        if (_folded.Length < code.Length)
        {
            _folded = new bool[Math.Max(code.Length, 2 * _folded.Length)];
            _foldDisp = new int[_folded.Length];
            _rebased = new bool[_folded.Length];
        }
        Array.Clear(_folded, 0, code.Length);
        Array.Clear(_rebased, 0, code.Length);
        if (!_grouped || _groups.GroupCount == 0) return code;
        int temps = block.TempCount;
        Array.Clear(_reads, 0, temps);
        Array.Clear(_foldableReads, 0, temps);
        Array.Clear(_isElided, 0, temps);
        Array.Clear(_defs, 0, temps);
        for (int k = 0; k < code.Length; k++)
        {
            ref readonly var i = ref code[k];
            if (PreparedBlock.Defines(i.Op)) _defs[i.Dst]++;
            int n = Optimizer.DeadTemps.TempOperands(i.Op);
            for (int o = 0; o < n; o++)
            {
                ushort t = i.Operand(o);
                _reads[t]++;
                _lastRead[t] = k;
            }
        }
        // Backwards, so that every read of a temp is counted before its definition decides whether it is dropped.
        for (int k = code.Length - 1; k >= 0; k--)
        {
            ref readonly var i = ref code[k];
            if (FoldableAccess(k, i) || RecomputedInStubs(k, i)) _foldableReads[i.A]++;
            else if (i.Op is IrOp.Add or IrOp.Sub or IrOp.Mov && i.Dst >= _pure && _reads[i.Dst] > 0
                && _foldableReads[i.Dst] == _reads[i.Dst] && _groups.BaseOf(i.Dst, out ushort root, out long offset))
            {
                _isElided[i.Dst] = true;
                ushort from = i.A >= _pure ? i.A : i.B;
                _foldableReads[from]++;
                _elided.Add(new ElidedAddress(i.Dst, k, _lastRead[i.Dst], root, offset, from));
            }
            else if (Rebaseable(i, out ushort from))
            {
                // Counted as foldable: if the chain before it is dropped, this op reads the base instead.
                _rebased[k] = true;
                _foldableReads[from]++;
            }
        }
        // Forwards (the list is in reverse order): a dropped address derived from its base, or from another dropped
        // address, is addressed off the base; one derived from a temp the code keeps (a stack pointer moved in the
        // block, stored to RSP) off that temp, if it is defined once. The interpreter, taking over after a group exit,
        // may compute the address itself from the temp it derives from, and a stub computes it from the temp its
        // accesses address off (MaterializeElided): the code emitted reads that temp at each access, so it keeps it.
        int elided = 0;
        for (int n = _elided.Count - 1; n >= 0; n--)
        {
            var e = _elided[n];
            ushort foldBase = e.Base;
            long foldOffset = e.Offset;
            if (e.From != e.Base)
            {
                if (_isElided[e.From])
                {
                    // The group analysis's offsets are from the group's base, and so is that of the temp From's
                    // accesses address off.
                    foldBase = _foldBase[e.From];
                    _groups.BaseOf(foldBase, out _, out long baseOffset);
                    foldOffset = e.Offset - baseOffset;
                }
                else if (_defs[e.From] == 1 && _groups.BaseOf(e.From, out ushort root, out long fromOffset) && root == e.Base)
                {
                    foldBase = e.From;
                    foldOffset = e.Offset - fromOffset;
                }
                else
                {
                    _isElided[e.Temp] = false;
                    continue;
                }
            }
            if (!Fits32((ulong)foldOffset))
            {
                _isElided[e.Temp] = false;
                continue;
            }
            _foldBase[e.Temp] = foldBase;
            _foldOffset[e.Temp] = foldOffset;
            _elided[n] = e with { Base = foldBase, Offset = foldOffset };
            elided++;
        }
        // A rebased op only helps where the temp it read is dropped; elsewhere it stays as it was.
        for (int k = 0; k < code.Length; k++)
            if (_rebased[k] && !_isElided[RebaseFrom(code[k])]) _rebased[k] = false;
        if (elided == 0)
        {
            _elided.Clear();
            return code;
        }
        int kept = 0;
        for (int n = 0; n < _elided.Count; n++)
            if (_isElided[_elided[n].Temp]) _elided[kept++] = _elided[n];
        _elided.Truncate(kept);
        if (_foldedCode.Length < code.Length) _foldedCode = new IrInstr[Math.Max(code.Length, 2 * _foldedCode.Length)];
        var folded = _foldedCode;
        Array.Copy(code, folded, code.Length);
        for (int k = 0; k < code.Length; k++)
        {
            ref var i = ref folded[k];
            if (PreparedBlock.Defines(i.Op) && i.Dst >= _pure && _isElided[i.Dst] && i.Op is IrOp.Add or IrOp.Sub or IrOp.Mov)
                i = new IrInstr { Op = IrOp.Nop };
            else if (_rebased[k])
            {
                _groups.BaseOf(i.Dst, out ushort root, out long offset);
                _foldDisp[k] = (int)offset;
                i = new IrInstr { Op = IrOp.Mov, Size = 8, Dst = i.Dst, A = root };
            }
            else if (FoldableAccess(k, i) && _isElided[i.A])
            {
                _folded[k] = true;
                _foldDisp[k] = (int)_foldOffset[i.A];
                i.A = _foldBase[i.A];
            }
        }
        return folded;
    }

    // A kept add or sub of a constant whose operand is itself its base plus a constant (the next link of a chain of
    // pushes or pops): it can be computed from the base, whose value stays (a base is defined once), so that the temps
    // before it in the chain are read by folded accesses only. A run of six pushes had kept an `add r12, -8` each.
    bool Rebaseable(in IrInstr i, out ushort from)
    {
        from = RebaseFrom(i);
        return i.Op is IrOp.Add or IrOp.Sub && i.Dst >= _pure && _reads[i.Dst] > 0 && from >= _pure
            && _groups.BaseOf(i.Dst, out ushort root, out long offset) && from != root && Fits32((ulong)offset)
            && _groups.BaseOf(from, out ushort fromRoot, out _) && fromRoot == root;
    }

    // A deferred store of a base-relative address (each push's new RSP, which the next push's overwrites): only stubs
    // make it, and they compute its value from the base (KeepDeferredValuesLive), so the address need not exist.
    bool RecomputedInStubs(int k, in IrInstr i) => i.Op == IrOp.StoreState && IsDeferred(k) && i.Size == 8 && i.A >= _pure
        && _groups.BaseOf(i.A, out _, out long offset) && Fits32((ulong)offset);

    /// <summary>Whether the code emitted never computes temp <paramref name="t"/> (an address folded into its accesses).</summary>
    bool IsElided(ushort t) => _elided.Count > 0 && t >= _pure && _isElided[t];

    ushort RebaseFrom(in IrInstr i) => i.A >= _pure ? i.A : i.B;

    /// <summary>A rebased op (<see cref="_rebased"/>): Dst = its base (A) + the displacement, in one lea where the base has a register.</summary>
    void EmitRebased(in IrInstr i, int k)
    {
        var target = ResultRegister(i.Dst, k);
        var from = Where(i.A);
        if (from == Register.None) from = target = InPlace(i.Dst, i.A);
        E(Instruction.Create(Code.Lea_r64_m, target, new MemoryOperand(from, _foldDisp[k])));
        Result(target, i.Dst);
    }

    bool FoldableAccess(int k, in IrInstr i) => i.Op is IrOp.Load or IrOp.Store && _groups.GroupOf[k] >= 0 && i.A >= _pure
        && _groups.BaseOf(i.A, out _, out long offset) && Fits32((ulong)offset);

    /// <summary>
    /// In a stub before op <paramref name="op"/> goes to the managed side: the dropped addresses the interpreter will
    /// read, into their frame slots. For an access that resumes, its own address; where the interpreter runs the rest
    /// of the block (<paramref name="restOfBlock"/>), every dropped address defined before and read from there on.
    /// </summary>
    void MaterializeElided(int op, bool restOfBlock)
    {
        for (int n = 0; n < _elided.Count; n++)
        {
            var e = _elided[n];
            bool needed = restOfBlock ? e.Def < op && e.LastUse >= op : _folded[op] && _original[op].A == e.Temp;
            if (!needed) continue;
            LoadTemp(RCX, e.Base);
            E(Instruction.Create(Code.Lea_r64_m, RAX, new MemoryOperand(RCX, e.Offset)));
            _rax = -1;
            E(Instruction.Create(Code.Mov_rm64_r64, Frame(e.Temp), RAX));
        }
    }

    // The block's code as translated (what the managed side runs), beside _code, the code emitted.
    IrInstr[] _original = [];

    /// <summary>The host operand of access op <paramref name="k"/> whose address (or base, if folded) is in <paramref name="addr"/>.</summary>
    MemoryOperand GuestOperand(int k, Register addr)
    {
        if (!_folded[k]) return new MemoryOperand(R8, addr, 1, 0, 0);
        int disp = _foldDisp[k];
        return new MemoryOperand(R8, addr, 1, disp, disp == 0 ? 0 : 1);
    }
}
