using Iced.Intel;
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
            if (width == 16) LoadHalves(x, offset);
            else E(Instruction.Create(width == 4 ? Code.Movss_xmm_xmmm32 : Code.Movsd_xmm_xmmm64, x, new MemoryOperand(RDI, offset)));
        }
    }

    // `x` now holds what was just stored at state `offset` (`width` bytes).
    void HoldXmm(Register x, int offset, int width)
    {
        ForgetXmm(offset, width);
        _xmmOffset[x - XMM0] = offset;
        _xmmWidth[x - XMM0] = (byte)width;
    }
}
