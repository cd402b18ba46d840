using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

// NativeBlockCompiler, continued: host XMM registers that still hold guest vector state an SSE operation stored.
// SSE arithmetic works on the guest's registers in the state (NativeBlockCompiler.SseArith): each operation stored its
// result and the next one loaded it back, a store-to-load forwarding delay of several cycles on every dependent step
// (nbody's inner loop is chains of mulsd, divsd and sqrtsd). The result is still stored (the rest of the code reads
// the state), but a later operation takes it from the register. Only XMM2-XMM15 are used: other emitters take XMM0
// and XMM1 as scratch. Anything else that may write vector state forgets what it touches or everything, and so does
// every label, where code may arrive from the managed side (which clobbers host registers) or another path.
public sealed unsafe partial class NativeBlockCompiler
{
    const int FirstCachedXmm = 2, XmmCount = 16;
    // pextrq and pinsrq (SSE4.1) reach a held register's high half; without them that half goes through the state.
    static readonly bool s_hostHasSse41 = System.Runtime.Intrinsics.X86.Sse41.X64.IsSupported;

    // Per host XMM register: the state offset its low `width` bytes hold (-1: nothing).
    readonly int[] _xmmOffset = new int[XmmCount];
    readonly byte[] _xmmWidth = new byte[XmmCount];
    int _xmmNext = FirstCachedXmm;

    void ForgetXmm()
    {
        for (int r = FirstCachedXmm; r < XmmCount; r++) _xmmOffset[r] = -1;
    }

    // State bytes [offset, offset + size) are written.
    void ForgetXmm(long offset, int size)
    {
        for (int r = FirstCachedXmm; r < XmmCount; r++)
            if (_xmmOffset[r] >= 0 && _xmmOffset[r] < offset + size && offset < _xmmOffset[r] + _xmmWidth[r])
                _xmmOffset[r] = -1;
    }

    // The register whose low `width` bytes are the state at `offset`, or None.
    Register CachedXmm(int offset, int width)
    {
        for (int r = FirstCachedXmm; r < XmmCount; r++)
            if (_xmmOffset[r] == offset && _xmmWidth[r] >= width) return XMM0 + r;
        return None;
    }

    // A register for a result, other than the two operand registers given (round robin: the least recently taken).
    Register NewXmm(Register keep1, Register keep2)
    {
        while (true)
        {
            var x = XMM0 + _xmmNext;
            _xmmNext = _xmmNext == XmmCount - 1 ? FirstCachedXmm : _xmmNext + 1;
            if (x == keep1 || x == keep2) continue;
            _xmmOffset[x - XMM0] = -1;
            return x;
        }
    }

    readonly record struct XmmHolding(Register Reg, int Offset, byte Width);
    // Snapshots of the registers held, for the ways back into the code after guest accesses (SlowStub.XmmFirst).
    readonly ScratchList<XmmHolding> _xmmReloads = new();

    // Records what the registers hold now; false if nothing.
    bool HeldXmm(out int first, out int count)
    {
        first = _xmmReloads.Count;
        for (int r = FirstCachedXmm; r < XmmCount; r++)
            if (_xmmOffset[r] >= 0) _xmmReloads.Add(new XmmHolding(XMM0 + r, _xmmOffset[r], _xmmWidth[r]));
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

    // `x` now holds what was just stored at state `offset` (`width` bytes).
    void HoldXmm(Register x, int offset, int width)
    {
        ForgetXmm(offset, width);
        _xmmOffset[x - XMM0] = offset;
        _xmmWidth[x - XMM0] = (byte)width;
    }
}
