using UserEmu.IR;

namespace UserEmu.Engine;

/// <summary>A native block's IR dropped and packed again from the guest code when it is needed.</summary>
/// <remarks>
/// Native code reads its block's IR only to run an op it hands back, to interpret the rest of the block after an access
/// group's check failed, or to make a stub when first reached: in cc1 a few thousand of ~106k native blocks ever do, and
/// the IR of the rest was a third of the managed heap (20 MiB). Translation is deterministic given the guest code of the
/// block's pages (helpers' effects are data: <see cref="HelperCatalog"/>), and where a superblock stopped at a block
/// already translated the translation again is told where (<see cref="IGuestFrontend.Translate"/>'s knownEnd). So once its native code is out, the block keeps only a hash of its packed IR, against which a translation
/// made when the IR is needed again is checked (a difference is an internal error). The guest code cannot change
/// meanwhile without invalidating the block, which packs the IR again first if a thread may be inside
/// (<see cref="Invalidate"/>). With USEREMU_CHECK_IR_DROPS set (the test suite sets it) every drop translates the block
/// again first and fails loudly if the translation differs. Checking every drop that way cost cc1 ~1 s of CPU.
/// </remarks>
public sealed partial class TranslationBlock
{
    int _droppedHash, _droppedLength;

    /// <summary>Whether the translation depended only on the guest code and what cannot change (see the remarks).</summary>
    internal bool Reproducible { get; init; }

    static readonly bool s_checkDrops = Environment.GetEnvironmentVariable("USEREMU_CHECK_IR_DROPS") is { Length: > 0 } v && v != "0";

    /// <summary>After <see cref="Native"/> is published: drops the packed IR of a reproducible block; the bytes it dropped (0: it kept them).</summary>
    internal int DropIrIfReproducible()
    {
        var code = Volatile.Read(ref _packedCode);
        if (code == null || !Valid || !Reproducible) return 0;
        // A guest mprotect changes the page's flags before it invalidates the block: a translation made between the two
        // differs (CI once: fetch_fault.c, exit 134), and is not an error while the pages are no longer what it came from.
        if (s_checkDrops && !TranslateAgain().SequenceEqual(code) && Valid && StillExecutable())
            throw new InvalidOperationException($"internal error: block 0x{Pc:x} translated differently a second time");
        _droppedHash = Hash(code);
        _droppedLength = code.Length;
        // A full fence each side (here and in KeepIrAfterInvalidation): an invalidation either sees the IR gone and
        // packs it again, or is seen here and the IR goes back.
        Interlocked.Exchange(ref _packedCode, null);
        if (Valid) return code.Length;
        Volatile.Write(ref _packedCode, code);
        return 0;
    }

    /// <summary>A block from the code cache whose stored native code goes in place at once: its IR (<paramref name="packed"/>, in a buffer of the caller's) is never kept, only what <see cref="Restore"/> checks a translation against.</summary>
    internal static TranslationBlock WithIrDropped(in CodeCache.CodeCacheRecord stored, ReadOnlySpan<byte> packed, GuestProcess process)
    {
        var tb = new TranslationBlock(stored, null, process)
        {
            _droppedHash = Hash(packed),
            _droppedLength = packed.Length,
        };
        Interlocked.Increment(ref process.Stats.IrDropped);
        Interlocked.Add(ref process.Stats.IrDroppedBytes, packed.Length);
        return tb;
    }

    /// <summary>The packed IR's length, kept or dropped (without translating it again).</summary>
    internal int PackedLength => Volatile.Read(ref _packedCode)?.Length ?? _droppedLength;

    private protected override byte[] Restore()
    {
        var again = TranslateAgain();
        if (again.Length != _droppedLength || Hash(again) != _droppedHash)
            throw new InvalidOperationException($"internal error: block 0x{Pc:x} translated differently when its dropped IR was needed again");
        var code = again.ToArray();
        Volatile.Write(ref _packedCode, code);
        Interlocked.Increment(ref _process.Stats.IrRestored);
        return code;
    }

    void KeepIrAfterInvalidation()
    {
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _packedCode) != null) return;
        // The guest code may already be gone (an unmapping raced with the compile thread): then a thread still inside
        // the block and needing its IR gets the internal error above.
        try { _ = PackedCode; }
        catch (InvalidOperationException) { }
    }

    // The packed IR of a fresh translation, in this thread's buffer.
    ReadOnlySpan<byte> TranslateAgain()
    {
        var ir = _process.Frontend.Translate(_process.Retranslator, GuestPc, transient: true, knownEnd: GuestEnd);
        return PackOnly(Optimizer.IrOptimizer.Run(ir));
    }

    // Whether every page of the block is still executable, as when it was translated (a write to one invalidates the
    // block first, so Valid covers the rest).
    bool StillExecutable()
    {
        var memory = _process.Memory;
        for (ulong page = Pc & ~Memory.GuestAddressSpace.PageMask; page < End; page += Memory.GuestAddressSpace.PageSize)
            if ((memory.FlagsAt(page) & Memory.PageFlags.Exec) == 0) return false;
        return true;
    }

    // XXH3, not HashCode.AddBytes: every block going native hashes its IR here, on the thread that put it in place
    // (a guest thread, for native code from the code cache), and AddBytes took ~7% of that.
    static int Hash(ReadOnlySpan<byte> code) => (int)System.IO.Hashing.XxHash3.HashToUInt64(code);
}
