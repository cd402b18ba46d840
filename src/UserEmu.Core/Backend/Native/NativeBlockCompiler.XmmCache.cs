using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.Host;
using UserEmu.IR;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

// NativeBlockCompiler, continued: host XMM registers that hold guest vector state, possibly newer than the state's.
// SSE arithmetic works on the guest's registers in the state (NativeBlockCompiler.SseArith): each operation stored its
// result and the next one loaded it back, a store-to-load forwarding delay of several cycles on every dependent step
// (nbody's inner loop is chains of mulsd, divsd and sqrtsd). A later operation takes a result from its register, and
// the result of an SSE or whole-vector operation is not stored at once: the register is dirty, and is stored (flushed)
// only where something else could read the state: before any op but the few that keep registers dirty
// (KeepsXmmDirty: integer ops, state and guest accesses, side exits, these vector operations), before a state load or
// a memory operand it overlaps, when its register is taken for another value, and in the stub of a guest access or
// group check on its way to the managed side, or of a side exit on its way out. A value a later result overwrites
// whole is never stored (nbody: ~25 stores per pass of its inner loop). Only XMM2-XMM15 are used: other emitters take
// XMM0 and XMM1 as scratch. Anything else that may write vector state forgets what it touches or everything, and so
// does every label, where code may arrive from the managed side (which clobbers host registers) or another path; a
// label reached with a dirty register would lose its value, so the block stays interpreted instead (_lostXmm).
public sealed unsafe partial class NativeBlockCompiler
{
    const int FirstCachedXmm = 2, XmmCount = 16;
    // pextrq and pinsrq (SSE4.1) reach a held register's high half; without them that half goes through the state.
    static readonly bool s_hostHasSse41 = System.Runtime.Intrinsics.X86.Sse41.X64.IsSupported;

    // Per host XMM register: the state offset its low `width` bytes hold (-1: nothing).
    readonly int[] _xmmOffset = new int[XmmCount];
    readonly byte[] _xmmWidth = new byte[XmmCount];
    // Per host XMM register: whether the state has not got what it holds yet.
    readonly bool[] _xmmDirty = new bool[XmmCount];
    // Per host XMM register holding 8 bytes: whether its bits 127:64 are zero (a movq from a general register).
    readonly bool[] _xmmUpperZero = new bool[XmmCount];
    // Per host XMM register: when it was last taken or read from the cache (NewXmm's choice), by _xmmClock.
    readonly long[] _xmmUsed = new long[XmmCount];
    long _xmmClock;
    bool _lostXmm;

    void ForgetXmm()
    {
        for (int r = FirstCachedXmm; r < XmmCount; r++)
        {
            if (_xmmOffset[r] >= 0 && _xmmDirty[r]) _lostXmm = true;
            _xmmOffset[r] = -1;
            _xmmDirty[r] = false;
        }
    }

    // State bytes [offset, offset + size) are written (by code emitted next, or by a result just computed into a
    // register that will hold them). A dirty register they do not wholly cover is stored first.
    void ForgetXmm(long offset, int size)
    {
        for (int r = FirstCachedXmm; r < XmmCount; r++)
        {
            if (!Overlaps(r, offset, size)) continue;
            if (_xmmDirty[r] && (_xmmOffset[r] < offset || _xmmOffset[r] + _xmmWidth[r] > offset + size)) FlushXmm(r);
            _xmmOffset[r] = -1;
            _xmmDirty[r] = false;
        }
    }

    bool Overlaps(int r, long offset, int size) =>
        _xmmOffset[r] >= 0 && _xmmOffset[r] < offset + size && offset < _xmmOffset[r] + _xmmWidth[r];

    // The state gets what register r holds.
    void FlushXmm(int r)
    {
        StoreXmm(XMM0 + r, _xmmOffset[r], _xmmWidth[r]);
        _xmmDirty[r] = false;
    }

    // Before code that reads state bytes [offset, offset + size) from memory.
    void FlushXmm(long offset, int size)
    {
        for (int r = FirstCachedXmm; r < XmmCount; r++)
            if (_xmmDirty[r] && Overlaps(r, offset, size)) FlushXmm(r);
    }

    void FlushAllXmm()
    {
        for (int r = FirstCachedXmm; r < XmmCount; r++)
            if (_xmmDirty[r] && _xmmOffset[r] >= 0) FlushXmm(r);
    }

    // state[offset] = the low `width` bytes of x; 16 bytes as two 8-byte stores (StoreHalves). VEX forms where the host
    // has them: a flush may come while 256-bit code has left the upper lanes dirty (UpperClean).
    void StoreXmm(Register x, int offset, int width)
    {
        var m = StateOperand(offset);
        bool vex = HostCpuFeatures.Avx2;
        switch (width)
        {
            case 4: E(Instruction.Create(vex ? Code.VEX_Vmovss_m32_xmm : Code.Movss_xmmm32_xmm, m, x)); break;
            case 8: E(Instruction.Create(vex ? Code.VEX_Vmovsd_m64_xmm : Code.Movsd_xmmm64_xmm, m, x)); break;
            case 16 when vex:
                E(Instruction.Create(Code.VEX_Vmovsd_m64_xmm, m, x));
                E(Instruction.Create(Code.VEX_Vmovhpd_m64_xmm, StateOperand(offset + 8), x));
                break;
            case 16: StoreHalves(offset, x); break;
            default: E(Instruction.Create(Code.VEX_Vmovdqu_ymmm256_ymm, m, YMM0 + (x - XMM0))); break;
        }
    }

    /// <summary>Whether op <paramref name="i"/> (op k) leaves dirty XMM registers dirty: it neither leaves the block, nor reads vector state other than through the cache, nor binds a label on its fast path.</summary>
    bool KeepsXmmDirty(in IrInstr i, int k) => i.Op switch
    {
        IrOp.Nop or IrOp.InsnStart or IrOp.Const or IrOp.Mov or IrOp.StoreState or IrOp.Load or IrOp.Store or IrOp.Select
            or IrOp.SideExit => true,
        IrOp.LoadState => !ReadsMxcsr(i),
        >= IrOp.Add and <= IrOp.Bswap => true,
        // A compare whose jcc ends the block is emitted with that jcc (a side exit stores them on its way out).
        >= IrOp.CmpEq and <= IrOp.CmpLeS => !(k + 1 < _n && _code[k + 1].Op is IrOp.Branch),
        IrOp.Call => InlineSseArith(i) || InlineSseCompare(i)
            || (InlineWholeVector(i) && WholeVectorHelpers.OpOf(i.Imm) != WholeVectorHelpers.Op.ZeroUppers),
        _ => false,
    };

    // Records the dirty registers (for a stub, to store them on its way to the managed side); false if none.
    bool DirtyXmm(out int first, out int count) => SnapshotXmm(dirtyOnly: true, out first, out count);

    // Stores the registers of a snapshot (DirtyXmm) to the state.
    void StoreXmm(int first, int count)
    {
        for (int n = first; n < first + count; n++)
        {
            var (x, offset, width) = _xmmReloads[n];
            StoreXmm(x, offset, width);
        }
    }

    // The register whose low `width` bytes are the state at `offset`, or None.
    Register CachedXmm(int offset, int width)
    {
        for (int r = FirstCachedXmm; r < XmmCount; r++)
        {
            if (_xmmOffset[r] != offset || _xmmWidth[r] < width) continue;
            _xmmUsed[r] = ++_xmmClock;
            return XMM0 + r;
        }
        return None;
    }

    // A register for a result, other than the two operand registers given: a free one, else the least recently used
    // (round robin had taken registers whose values the next operations read: nbody reloaded them from the state).
    Register NewXmm(Register keep1, Register keep2)
    {
        int pick = -1;
        for (int r = FirstCachedXmm; r < XmmCount; r++)
        {
            if (XMM0 + r == keep1 || XMM0 + r == keep2) continue;
            if (_xmmOffset[r] < 0)
            {
                pick = r;
                break;
            }
            if (pick < 0 || _xmmUsed[r] < _xmmUsed[pick]) pick = r;
        }
        if (_xmmDirty[pick] && _xmmOffset[pick] >= 0) FlushXmm(pick);
        _xmmOffset[pick] = -1;
        _xmmDirty[pick] = false;
        _xmmUsed[pick] = ++_xmmClock;
        return XMM0 + pick;
    }

    readonly record struct XmmHolding(Register Reg, int Offset, byte Width);
    // Snapshots of the registers held, for the ways back into the code after guest accesses (SlowStub.XmmFirst).
    readonly ScratchList<XmmHolding> _xmmReloads = new();

    // Records what the registers hold now (for an access's way back, to reload them); false if nothing.
    bool HeldXmm(out int first, out int count) => SnapshotXmm(dirtyOnly: false, out first, out count);

    // Records the registers that hold state (only the dirty ones, or all) in _xmmReloads; false if none.
    bool SnapshotXmm(bool dirtyOnly, out int first, out int count)
    {
        first = _xmmReloads.Count;
        for (int r = FirstCachedXmm; r < XmmCount; r++)
            if (_xmmOffset[r] >= 0 && (_xmmDirty[r] || !dirtyOnly)) _xmmReloads.Add(new XmmHolding(XMM0 + r, _xmmOffset[r], _xmmWidth[r]));
        count = _xmmReloads.Count - first;
        return count > 0;
    }

    // Loads the registers of a snapshot back from the state, which holds every value they do.
    void ReloadXmm(int first, int count)
    {
        for (int n = first; n < first + count; n++)
        {
            var (x, offset, width) = _xmmReloads[n];
            LoadXmm(x, offset, width);
        }
    }

    // r = the 8 state bytes at `offset`, if a register holds them as its low or (holding 16 bytes) high half.
    bool LoadHeldXmm(Register r, long offset)
    {
        for (int x = FirstCachedXmm; x < XmmCount; x++)
        {
            if (_xmmOffset[x] < 0) continue;
            if (_xmmOffset[x] == offset && _xmmWidth[x] >= 8)
                E(Instruction.Create(Code.Movq_rm64_xmm, r, XMM0 + x));
            else if (_xmmOffset[x] + 8 == offset && _xmmWidth[x] >= 16 && s_hostHasSse41)
                E(Instruction.Create(Code.Pextrq_rm64_xmm_imm8, r, XMM0 + x, 1));
            else if (_xmmWidth[x] == 32 && (offset - _xmmOffset[x]) is 16 or 24)
            {
                // The upper lane (held only by WholeVector's AVX2 code).
                E(Instruction.Create(Code.VEX_Vextracti128_xmmm128_ymm_imm8, XMM0, YMM0 + x, 1));
                E(Instruction.Create(Code.VEX_Vpextrq_rm64_xmm_imm8, r, XMM0, (int)(offset - _xmmOffset[x] - 16) / 8));
            }
            else continue;
            return true;
        }
        return false;
    }

    // After an 8-byte state store (op k) of a vector register's low half that SSE arithmetic reads later in the block
    // (a register move or load, lowered to integer ops): the value into a register too, so that the operation does not
    // wait for the store to be forwarded. The high half joins a low half already held (the operation is packed).
    void HoldStoredXmmHalf(in IrInstr store, int k)
    {
        long rel = store.Imm - CpuState.OffYmm;
        if (rel < 0 || rel >= XmmCount * 32 || (rel & 31) is not (0 or 8)) return;
        int slot = (int)(store.Imm - (rel & 31));
        // Where the store took the value from (StoreStateFrom leaves it in its register, else in rax).
        var value = InRegister(store.A);
        if ((rel & 31) == 8)
        {
            if (!s_hostHasSse41) return;
            for (int x = FirstCachedXmm; x < XmmCount; x++)
                if (_xmmOffset[x] == slot && _xmmWidth[x] == 8)
                {
                    E(Instruction.Create(Code.Pinsrq_xmm_rm64_imm8, XMM0 + x, value, 1));
                    _xmmWidth[x] = 16;
                    return;
                }
            return;
        }
        if (!ReadBySseLater(slot, k)) return;
        var held = NewXmm(None, None);
        E(Instruction.Create(Code.Movq_xmm_rm64, held, value));
        HoldXmm(held, slot, 8);
        _xmmUpperZero[held - XMM0] = true;
    }

    // After a store of 0 to the high half of the vector register at state offset `offset` - 8 (movsd or movq from
    // memory zeroes it): a register holding the low half from a movq holds both.
    void HoldZeroedHighHalf(long offset)
    {
        long rel = offset - CpuState.OffYmm;
        if (rel < 0 || rel >= XmmCount * 32 || (rel & 31) != 8) return;
        for (int x = FirstCachedXmm; x < XmmCount; x++)
            if (_xmmOffset[x] == offset - 8 && _xmmWidth[x] == 8 && _xmmUpperZero[x]) _xmmWidth[x] = 16;
    }

    // Whether an inlined SSE operation after op k reads the vector register at state offset `slot`.
    bool ReadBySseLater(int slot, int k)
    {
        for (int j = k + 1; j < _n; j++)
        {
            ref readonly var i = ref _code[j];
            if (i.Op != IrOp.Call || !(InlineSseArith(i) || InlineSseCompare(i))) continue;
            if (CpuState.XmmOffset(VectorHelpers.Dst(i.Imm)) == slot || CpuState.XmmOffset(VectorHelpers.Src(i.Imm)) == slot) return true;
        }
        return false;
    }

    // `x` now holds the state's `width` bytes at `offset`: what was just stored or loaded there, or (dirty) a result
    // not stored yet.
    void HoldXmm(Register x, int offset, int width, bool dirty = false)
    {
        ForgetXmm(offset, width);
        _xmmOffset[x - XMM0] = offset;
        _xmmWidth[x - XMM0] = (byte)width;
        _xmmDirty[x - XMM0] = dirty;
        _xmmUpperZero[x - XMM0] = false;
    }
}
