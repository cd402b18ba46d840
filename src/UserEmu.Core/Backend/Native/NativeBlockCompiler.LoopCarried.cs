using Iced.Intel;
using UserEmu.IR;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

// NativeBlockCompiler, continued: a block that branches back to itself keeps guest registers in host registers from
// one pass to the next.
public sealed unsafe partial class NativeBlockCompiler
{
    /// <summary>At most this many guest registers held across a block's back edge: the rest of the block keeps the other temp registers.</summary>
    const int MaxCarried = 4;

    /// <summary>A guest register a loop block holds in <see cref="Reg"/>: its state offset, the temp its one load defines, the op of that load, and the temp it holds at the back edge.</summary>
    /// <remarks>Store: the op of the block's one store to it (-1: none, -2: several); Sunk: that store is left out of the
    /// fast path and made on every way out (<see cref="SinkCarriedStores"/>);
    /// FinalInPlace: the final value is computed into the carried register itself, so the back edge moves nothing.</remarks>
    readonly record struct Carried(int Offset, ushort Temp, int Load, ushort Final, Register Reg, int Store = -1, bool Sunk = false,
        bool FinalInPlace = false);
    readonly ScratchList<Carried> _carried = new();

    /// <summary>
    /// Finds the guest registers a block that ends by branching back to itself can keep in host registers across the
    /// back edge, and gives their temps a register for the whole block (<see cref="AllocateRegisters"/> reserves it).
    /// </summary>
    /// <remarks>
    /// In native code a loop's guest registers went through CpuState at every pass: stored where the block writes them
    /// and loaded again at its top. Here the block's body first loads them into their registers, and the back edge,
    /// once linked to the block itself, jumps past those loads (<see cref="NativeCode.LoopEntry"/>) with the pass's
    /// values moved into them; the stores leave the loop too (<see cref="SinkCarriedStores"/>). What that saves is
    /// instructions, not latency: with the loads gone but the stores kept, loops ran no faster (store-to-load forwarding
    /// from the same base and displacement costs nothing measurable on this host), with both gone a 256x256 matrix
    /// product's inner loop ran 16% faster. A register qualifies when the block reads all 8 bytes of it once, before
    /// any store to it, writes it only whole, and nothing in the block could change state behind the IR's back (no
    /// helper calls, no system call, no indirect jump). Registers the block writes come first (a value carried from
    /// pass to pass), then those it only reads.
    /// </remarks>
    void FindCarried(ReadOnlySpan<IrInstr> code, bool counted)
    {
        _carried.Clear();
        _anySunk = _lostSunk = false;
        if (!_chain || counted || code.Length == 0) return;
        ref readonly var last = ref code[^1];
        // A call to the block itself is recursion, not a loop: its return site runs after code that uses the registers.
        bool loops = last.Op == IrOp.Jump && last.ReturnAddress == 0 && (ulong)last.Imm == _guestPc
            || last.Op == IrOp.Branch && ((ulong)last.Imm == _guestPc || (ulong)last.Imm2 == _guestPc);
        if (!loops) return;
        // Per 8-byte general register (CpuState offsets 0..0x78): its load's op (-1: none yet; -2: disqualified) and last store's op.
        Span<int> load = stackalloc int[16], store = stackalloc int[16], stores = stackalloc int[16];
        load.Fill(-1);
        store.Fill(-1);
        stores.Clear();
        for (int k = 0; k < code.Length; k++)
        {
            ref readonly var i = ref code[k];
            switch (i.Op)
            {
                case IrOp.Call or IrOp.Syscall or IrOp.JumpIndirect:
                    return;
                case IrOp.LoadState or IrOp.StoreState when i.Imm < 16 * 8:
                    for (int g = (int)(i.Imm / 8); g < 16 && g * 8 < i.Imm + i.Size; g++)
                    {
                        if (load[g] == -2) continue;
                        bool whole = i.Imm == g * 8 && i.Size == 8;
                        if (!whole) load[g] = -2;
                        else if (i.Op == IrOp.StoreState)
                        {
                            store[g] = k;
                            stores[g]++;
                        }
                        // Loaded once, before any store (the optimiser forwards a store to a later load in the block).
                        else load[g] = load[g] == -1 && store[g] < 0 && i.Dst >= _pure && !_inFrame[i.Dst] ? k : -2;
                    }
                    break;
            }
        }
        // The load temps of every register that qualifies so far: a register whose value at the back edge is another's
        // loaded value (a swap) is left out, so the moves at the back edge never overwrite a register they read.
        for (int pass = 0; pass < 2 && _carried.Count < MaxCarried; pass++)
        {
            for (int g = 0; g < 16 && _carried.Count < MaxCarried; g++)
            {
                if (load[g] < 0 || (store[g] >= 0) != (pass == 0)) continue;
                ushort temp = code[load[g]].Dst;
                ushort final = store[g] >= 0 ? code[store[g]].A : temp;
                if (final != temp && final >= _pure && (_inFrame[final] || _def[final] < 0 || _sunk[_def[final]] || IsElided(final) || LoadedRegister(code, load, final)))
                    continue;
                _carried.Add(new Carried(g * 8, temp, load[g], final, Register.None, stores[g] switch { 0 => -1, 1 => store[g], _ => -2 }));
            }
        }
        // Live for the whole block: the carried temps from before the first op (the body's loads, or the back edge) to
        // the back edge, the final values to the back edge too; read there, so neither lives in rax only.
        for (int n = 0; n < _carried.Count; n++)
        {
            var c = _carried[n];
            if (FinalFitsInPlace(code, c)) _carried[n] = c = c with { FinalInPlace = true };
            _def[c.Temp] = -1;
            _lastUse[c.Temp] = code.Length - 1;
            _uses[c.Temp]++;
            if (c.Final != c.Temp && c.Final >= _pure)
            {
                _lastUse[c.Final] = Math.Max(_lastUse[c.Final], code.Length - 1);
                _uses[c.Final]++;
            }
        }
    }

    // Whether c's final value can be computed into its carried register: the loaded value is read last by the op that
    // defines it (which reads its operands first) or before, nothing between that op and the store can leave the fast
    // path (a way out there would store the register as the loaded value), and no other register is stored the same
    // value. Uses ComputeLiveRanges' results.
    bool FinalFitsInPlace(ReadOnlySpan<IrInstr> code, in Carried c)
    {
        if (c.Store < 0 || c.Final == c.Temp || c.Final < _pure) return false;
        // One value stored to two registers goes into neither's register.
        for (int n = 0; n < _carried.Count; n++)
            if (_carried[n].Offset != c.Offset && _carried[n].Final == c.Final) return false;
        int d = _def[c.Final], last = _lastUse[c.Temp];
        if (d < 0 || d > c.Store || last > d || (last == d && !ReadsOperandsFirst(code[d].Op))) return false;
        for (int k = d + 1; k < c.Store; k++)
            if (!StaysNative(code[k].Op) || code[k].Op == IrOp.LoadState && ReadsMxcsr(code[k])) return false;
        return true;
    }

    bool IsFinalInPlace(int t)
    {
        for (int n = 0; n < _carried.Count; n++)
            if (_carried[n].FinalInPlace && _carried[n].Final == t) return true;
        return false;
    }

    // Whether temp t is the loaded value of a general register that may be carried.
    static bool LoadedRegister(ReadOnlySpan<IrInstr> code, ReadOnlySpan<int> load, ushort t)
    {
        foreach (int k in load)
            if (k >= 0 && code[k].Dst == t) return true;
        return false;
    }

    // The carried temps take temp registers from the end of TempRegisters before the linear scan gives out the rest.
    void ReserveCarriedRegisters(ushort[] owner)
    {
        for (int n = 0; n < _carried.Count; n++)
        {
            int r = TempRegisters.Length - 1 - n;
            owner[r] = _carried[n].Temp;
            _reg[_carried[n].Temp] = TempRegisters[r];
            if (_carried[n].FinalInPlace) _reg[_carried[n].Final] = TempRegisters[r];
            _carried[n] = _carried[n] with { Reg = TempRegisters[r] };
            _registerTemps.Add(_carried[n].Temp);
        }
    }

    // Temp register r (TempRegisters' order) is held by a carried temp for the whole block: the last ones are.
    bool IsCarriedRegister(int r) => r >= TempRegisters.Length - _carried.Count;

    bool IsCarriedTemp(int t)
    {
        for (int n = 0; n < _carried.Count; n++)
            if (_carried[n].Temp == t) return true;
        return false;
    }

    // Op k is the load of a carried register: its temp's register holds the value already.
    bool IsCarriedLoad(int k)
    {
        for (int n = 0; n < _carried.Count; n++)
            if (_carried[n].Load == k) return true;
        return false;
    }

    // At the top of the body: the carried registers from the state. Returns the loop entry's offset past the body (0: none).
    int EmitCarriedLoads()
    {
        if (_carried.Count == 0) return 0;
        for (int n = 0; n < _carried.Count; n++)
            E(Instruction.Create(Code.Mov_r64_rm64, _carried[n].Reg, StateOperand(_carried[n].Offset)));
        return _buf.Length - _bodyOffset;
    }

    // Whether the direct exit being emitted is the block's back edge to itself at its last op (a side exit back to the
    // block's start leaves before the pass's final values exist): it moves them into the carried registers.
    bool CarriesAcross(ulong target) => _carried.Count > 0 && target == _guestPc && (_k == _n - 1 || (_k == _n - 2 && _fusedNext == _n - 1));

    bool _anySunk, _lostSunk;
    // The op whose side-exit stub is being emitted (the ways out past the main code have no _k).
    int _stubOp;

    /// <summary>
    /// Leaves a carried register's one state store out of the fast path where its value has a register or is an
    /// immediate: every way out (exits, side-exit stubs, an op's stub, the back edge's ways to the runner) makes it
    /// instead, with the value the register has there, so the loop itself neither loads nor stores it.
    /// </summary>
    void SinkCarriedStores()
    {
        for (int n = 0; n < _carried.Count; n++)
        {
            var c = _carried[n];
            if (c.Store < 0) continue;
            bool placed = c.Final < _pure ? Fits32(_constants[c.Final]) : _reg[c.Final] != Register.None;
            if (!placed) continue;
            _carried[n] = c with { Sunk = true };
            _anySunk = true;
        }
    }

    bool IsSunkStore(int k)
    {
        for (int n = 0; n < _carried.Count; n++)
            if (_carried[n].Sunk && _carried[n].Store == k) return true;
        return false;
    }

    // The sunk stores, each with its register's value as of op `op`: before the store, the value loaded at the top
    // (op -1: on the back edge's ways to the runner, after the moves, the carried registers hold the pass's values).
    void EmitSunkStores(int op)
    {
        for (int n = 0; n < _carried.Count; n++)
        {
            var c = _carried[n];
            if (!c.Sunk) continue;
            var at = StateOperand(c.Offset);
            if (op <= c.Store) E(Instruction.Create(Code.Mov_rm64_r64, at, c.Reg));
            else if (c.Final < _pure) E(Instruction.Create(Code.Mov_rm64_imm32, at, (int)(long)_constants[c.Final]));
            else E(Instruction.Create(Code.Mov_rm64_r64, at, _reg[c.Final]));
        }
    }

    // On the back edge: each carried register gets the value its guest register has at the end of the pass.
    void EmitCarriedMoves()
    {
        for (int n = 0; n < _carried.Count; n++)
        {
            var c = _carried[n];
            if (c.Final != c.Temp && !c.FinalInPlace) LoadTemp(c.Reg, c.Final);
        }
    }
}
