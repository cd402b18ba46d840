using Iced.Intel;

namespace UserEmu.Backend.Native;

/// <summary>Out-of-line stubs made when first reached: a block is compiled with a trampoline for each, and the stub is compiled again from the block's IR the first time its trampoline runs.</summary>
/// <remarks>
/// An access's slow path (and a memory access group's exit) stores what the block holds in registers, hands the op to
/// the managed side and reloads: 70 bytes on average in cc1, 315k of them, 22 MB of its 49 MB of native code, of
/// which almost none ever runs (accesses fail their inline check rarely; host faults are redirected to them). A
/// trampoline is 8 bytes: a call to the chunk's <see cref="NativeExitTails.LazyStub"/> tail and the stub's number
/// (the block's id is in the word before its first trampoline). The tail saves every register and comes back to the
/// runner; the runner makes the stub (<see cref="MakeStub"/>), patches the trampoline into a jump to it and goes on
/// there through <see cref="NativeExitTails.WriteStubResume"/>'s code with the registers put back. Compiling is deterministic: the same IR and settings give the same body, so the stub made
/// later fits the body placed earlier (checked by the body's length).
/// </remarks>
public sealed unsafe partial class NativeBlockCompiler
{
    // The number of the stub a replay emits in full (-1: none, every stub is a trampoline), and where it ended.
    int _replayStub = -1, _stubEnd;

    // At the next stub (number `index`, label `label`): a trampoline for it, unless a replay is making this one (false:
    // its code follows).
    bool Trampoline(int label, int index)
    {
        if (index == _replayStub)
        {
            Bind(label);
            return false;
        }
        // 8 bytes each, 8-aligned in the chunk (the cold part starts 8-aligned, at a 16-aligned offset here), so one
        // atomic store turns the call into a jmp; the block's trampolines follow one another after a word holding its id.
        while ((_buf.Length & 7) != 0) _buf.WriteByte(0xcc);
        if (index == 0)
        {
            _idFields.Add(_buf.Length);
            _buf.Write32((uint)_id);
            _buf.Write32(0xcccc_cccc);
        }
        Bind(label);
        JumpToTail(Code.Call_rel32_64, NativeExitTails.LazyStub);
        _buf.Write16(checked((ushort)index));
        _buf.WriteByte(0xcc);
        return true;
    }

    // A trampoline's call (its data follows), and the whole trampoline.
    const int TrampolineCall = 5, TrampolineBytes = 8;

    /// <summary>A stub <see cref="MakeStub"/> made: its number in its block, the block's guest PC, its bytes (0: another thread had made it).</summary>
    public readonly record struct MadeStub(int Index, ulong GuestPc, int Length);

    /// <summary>
    /// The stub whose trampoline's data is at <paramref name="data"/> (just after its call): made, placed in
    /// <paramref name="arena"/> and the trampoline patched into a jump to it, unless another thread did so first.
    /// </summary>
    public static byte* MakeStub(NativeCodeArena arena, byte* data, out MadeStub made)
    {
        int index = *(ushort*)data;
        byte* trampoline = data - TrampolineCall;
        int id = *(int*)(trampoline - TrampolineBytes * (index + 1));
        var native = arena.Code(id);
        var block = arena.Block(id);
        made = new MadeStub(index, block.GuestPc, 0);
        lock (native)
        {
            if (*trampoline == 0xe9) return data + *(int*)(trampoline + 1);
            var c = t_instance ??= new NativeBlockCompiler();
            c._jumps = native.Linked ? arena.Jumps : null;
            c._storesFaultOnCode = native.StoresFaultOnCode;
            c._replayStub = index;
            bool emitted;
            try { emitted = c.Emit(block, id, native.Chained, native.Region); }
            finally { c._replayStub = -1; }
            if (!emitted || c._coldStart - c._indirectOffset != native.Length)
                throw new InvalidOperationException($"native block {id}: compiled again, its body differs (stub {index})");
            byte* stub = c.PlaceStub(arena, native.IndirectEntry - c._indirectOffset, index, trampoline, out int length);
            made = made with { Length = length };
            return stub;
        }
    }

    // Copies the stub just emitted to the arena, its rel32s to the block's body and to the exit tails made again from
    // where it went, and points the trampoline at it.
    byte* PlaceStub(NativeCodeArena arena, byte* body, int index, byte* trampoline, out int length)
    {
        int label = index < _slowStubs.Count ? _slowStubs[index].Label : _groupExits[index - _slowStubs.Count].Label;
        int start = _labels[label], end = _stubEnd;
        length = end - start;
        byte* stub = arena.PlaceStub(_buf.Bytes[start..end]);
        if (stub == null) throw new InvalidOperationException("native code region full while making a stub");
        for (int n = 0; n < _patches.Count; n++)
        {
            var (at, to) = (_patches[n].At, _labels[_patches[n].Label]);
            if (at < start || at >= end || (to >= start && to < end)) continue;
            if (to >= _coldStart) throw new InvalidOperationException("a stub jumps to another out-of-line part");
            SetRel32(stub + (at - start), body + to);
        }
        byte* tails = NativeExitTails.Of(stub);
        for (int n = 0; n < _tailPatches.Count; n++)
        {
            int at = _tailPatches[n].At;
            if (at >= start && at < end) SetRel32(stub + (at - start), tails + _tailPatches[n].Tail);
        }
        // The call becomes a jmp in one store of the trampoline's first 8 bytes (the data after it is unchanged).
        ulong word = *(ulong*)trampoline;
        int rel = checked((int)(stub - (trampoline + TrampolineCall)));
        word = (word & ~0xff_ffff_ffffUL) | 0xe9 | ((ulong)(uint)rel << 8);
        Volatile.Write(ref *(ulong*)trampoline, word);
        return stub;
    }
}
