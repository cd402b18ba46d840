using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using UserEmu.Host;
using UserEmu.IR;
using UserEmu.Memory;

namespace UserEmu.Engine.CodeCache;

/// <summary>Translations kept on disk from one run of a program to the next: a block whose guest pages are unchanged starts from its stored IR instead of being decoded, translated and optimised again.</summary>
/// <remarks>
/// As FEX-Emu's AOT IR cache and Rosetta's translation cache: a program run again (a shell script's commands, a test
/// binary, a compiler invoked per file) spends a large part of a short run translating the same code (busybox true
/// ~35%, python3 -c pass ~40% of its guest thread). One file per program and engine build
/// (<see cref="CodeCacheFile.Key"/>) under -code-cache's directory; each record is checked against the guest pages
/// before use (<see cref="CodeCacheRecord.MatchesGuestCode"/>), so a library updated, code generated at run time or a
/// different address layout only misses. The native code compiled for a block is kept too, as a record of its own
/// (<see cref="RememberNative"/>): a block that had native code gets it again as it is loaded, without compiling.
/// New translations go to a journal (<see cref="CodeCacheJournal"/>) merged into the file at exit.
/// </remarks>
public sealed unsafe class PersistentCodeCache
{
    const long SysOpen = 2, SysPread = 17, SysLseek = 8, SeekEnd = 2;
    const int O_RDONLY = 0, O_CLOEXEC = 0x80000, WindowBytes = 128 << 10;

    readonly string _key;
    readonly string _path;
    // The index, sorted by PC, in unmanaged memory: cc1 has ~120k records, 1.4 MB here.
    ulong* _pcs;
    uint* _offsets;
    int _count;
    int _fd = -1;
    // Records are read through a window of the file: the blocks of a run come in nearly the order they were stored.
    byte[] _window = [];
    long _windowStart = -1;
    int _windowLength;
    // Where the records lie in the file (an offset elsewhere is damage).
    long _recordsStart, _recordsEnd;
    readonly Lock _lock = new();
    readonly CodeCacheJournal _journal;

    PersistentCodeCache(string directory, string key)
    {
        _key = key;
        _path = CodeCacheFile.PathFor(directory, key);
        _journal = new CodeCacheJournal(directory, _path, key);
    }

    /// <summary>The cache for <paramref name="program"/> in the directory -code-cache names, or null where it is off (or -d logs translations, which a loaded block skips).</summary>
    public static PersistentCodeCache? Open(EmulatorOptions options, string program, UserEmu.Cpu.X86.CpuModel model)
    {
        string? directory = options.CodeCacheDirectory;
        if (directory == null || options.DebugItems.Any(item => item != "stats")) return null;
        try
        {
            var cache = new PersistentCodeCache(directory, CodeCacheFile.Key(program, options, model));
            cache.ReadIndex();
            return cache;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    void ReadIndex()
    {
        var name = Encoding.UTF8.GetBytes(_path + "\0");
        long fd;
        fixed (byte* p = name) fd = LibC.syscall(SysOpen, (long)p, O_RDONLY | O_CLOEXEC, 0, 0, 0, 0);
        if (fd < 0) return;
        // The emulator's own descriptor: above the guest's numbers, hidden from it.
        _fd = EmulatorFds.MoveAboveGuest((int)fd);
        var header = CodeCacheFile.Header(_key);
        var found = new byte[header.Length];
        Span<byte> footer = stackalloc byte[CodeCacheFile.FooterSize];
        // The size of the file opened, not of one a merge renamed over it since.
        long size = LibC.syscall(SysLseek, _fd, 0, SeekEnd, 0, 0, 0);
        if (size < header.Length + CodeCacheFile.FooterSize || Read(found, 0) != found.Length || !found.AsSpan().SequenceEqual(header)
            || Read(footer, size - CodeCacheFile.FooterSize) != footer.Length
            || BitConverter.ToUInt32(footer[12..]) != CodeCacheFile.FooterMagic)
        {
            Close();
            return;
        }
        long indexOffset = BitConverter.ToInt64(footer);
        int count = BitConverter.ToInt32(footer[8..]);
        if (count <= 0 || indexOffset < header.Length || indexOffset > uint.MaxValue || indexOffset + 16L * count != size - CodeCacheFile.FooterSize)
        {
            Close();
            return;
        }
        // The (pc, offset) pairs become two arrays, read a chunk at a time: the search touches only PCs, and a copy of
        // the whole index had raised cc1's peak RSS by its size.
        _pcs = (ulong*)NativeMemory.Alloc((nuint)count, sizeof(ulong));
        _offsets = (uint*)NativeMemory.Alloc((nuint)count, sizeof(uint));
        Span<ulong> pairs = stackalloc ulong[2 * 256];
        for (int k = 0; k < count; k += 256)
        {
            int n = Math.Min(256, count - k);
            if (Read(MemoryMarshal.AsBytes(pairs[..(2 * n)]), indexOffset + 16L * k) != 16 * n)
            {
                NativeMemory.Free(_pcs);
                NativeMemory.Free(_offsets);
                _pcs = null;
                _offsets = null;
                Close();
                return;
            }
            for (int j = 0; j < n; j++)
            {
                _pcs[k + j] = pairs[2 * j];
                _offsets[k + j] = (uint)pairs[2 * j + 1];
            }
        }
        _count = count;
        (_recordsStart, _recordsEnd) = (header.Length, indexOffset);
        _journal.Existing = count;
    }

    void Close()
    {
        if (_fd >= 0) LibC.close(_fd);
        _fd = -1;
    }

    int Read(Span<byte> into, long offset)
    {
        fixed (byte* p = into)
        {
            long n = LibC.syscall(SysPread, _fd, (long)p, into.Length, offset, 0, 0);
            return n < 0 ? 0 : (int)n;
        }
    }

    /// <summary>The block stored for <paramref name="pc"/> if its guest code is unchanged, else null.</summary>
    /// <param name="nativeImage">The native code an earlier run compiled from the block's IR, if stored (<see
    /// cref="Backend.Native.NativeBlockCompiler.Compile"/>'s stored image), in a buffer of this thread's valid until
    /// its next call; else empty.</param>
    /// <param name="imageGoesInNow">The caller puts a native image in place at once: a block with one stored comes
    /// with its IR already dropped (<see cref="TranslationBlock.DropIrIfReproducible"/>), never copied out of the file's
    /// window. cc1's warm run had copied ~120k blocks' IR to drop ~105k of them right after: ~20 MB of garbage.</param>
    public TranslationBlock? TryLoad(ulong pc, GuestProcess proc, GuestAddressSpace memory, bool imageGoesInNow, out ReadOnlySpan<byte> nativeImage)
    {
        nativeImage = default;
        int at = Find(pc);
        if (at < 0) return null;
        CodeCacheRecord record;
        TranslationBlock tb;
        lock (_lock)
        {
            var bytes = RecordBytes(_offsets[at]);
            if (bytes.Length < CodeCacheRecord.Size) return null;
            record = CodeCacheFile.ReadRecord(bytes);
            if (record.Pc != pc || bytes.Length < CodeCacheRecord.Size + record.PackedLength) return null;
            var ir = bytes.Slice(CodeCacheRecord.Size, (int)record.PackedLength);
            if (CodeCacheRecord.Checksum(record, ir) != record.PackedHash || !record.MatchesGuestCode(memory, KnownPageHashes(memory))) return null;
            var stored = ir;
            if (record.CallsHelpers && !StoredHelpers.TryFromFile(ir, record.ConstantCount, out stored)) return null;
            // Both before the image is looked up, which may move the window `ir` lies in. (An image found by its key
            // but damaged leaves the block without IR or native code: its IR is translated again when it runs.)
            tb = imageGoesInNow && Find(pc | NativeKey) >= 0 ? TranslationBlock.WithIrDropped(record, stored, proc) : new TranslationBlock(record, stored.ToArray(), proc);
            nativeImage = NativeImage(pc, XxHash3.HashToUInt64(ir));
        }
        Interlocked.Increment(ref proc.Stats.CodeCacheLoads);
        if (record.TracesLoop) Interlocked.Increment(ref proc.Stats.LoopTraces);
        return tb;
    }

    int Find(ulong pc)
    {
        int lo = 0, hi = _count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            ulong v = _pcs[mid];
            if (v == pc) return mid;
            if (v < pc) lo = mid + 1;
            else hi = mid - 1;
        }
        return -1;
    }

    // The bytes from `offset` on in the window (a record's header and its data, or fewer where the file ends or is
    // damaged), moved there first if the record is not in it whole (under the lock).
    ReadOnlySpan<byte> RecordBytes(long offset)
    {
        if (offset < _recordsStart || offset >= _recordsEnd) return default;
        if (_window.Length == 0) _window = new byte[WindowBytes];
        long at = offset - _windowStart;
        bool inWindow = _windowStart >= 0 && at >= 0 && at + CodeCacheRecord.Size <= _windowLength
            && at + CodeCacheRecord.Size + CodeCacheFile.ReadRecord(_window.AsSpan((int)at)).PackedLength <= _windowLength;
        if (!inWindow)
        {
            _windowStart = offset;
            _windowLength = Read(_window, offset);
            at = 0;
        }
        return _window.AsSpan((int)at, _windowLength - (int)at);
    }

    /// <summary>A native code record's key: the block's PC with a bit no guest address has.</summary>
    public const ulong NativeKey = 1UL << 63;

    /// <summary>
    /// The native code image stored for <paramref name="tb"/>, compiled from its IR, in
    /// a buffer of this thread's valid until its next call; empty for none. For a block loaded before the native tier
    /// was ready (<see cref="NativeCompileWorker.Ready"/>), whose image the compile thread looks up again.
    /// </summary>
    public ReadOnlySpan<byte> TryLoadNative(TranslationBlock tb)
    {
        ulong pc = tb.Pc;
        int at = Find(pc | NativeKey);
        if (at < 0) return default;
        if (StoredIrHash(tb) is not { } irHash) return default;
        lock (_lock)
        {
            long offset = _offsets[at];
            if (_fd < 0 || offset < _recordsStart || offset >= _recordsEnd) return default;
            // Read alone, not through the window the vCPU thread reads the IR records through.
            var buffer = t_image ??= new byte[4096];
            int got = Read(buffer.AsSpan(0, 1024), offset);
            if (got < CodeCacheRecord.Size) return default;
            int size = CodeCacheRecord.Size + (int)Math.Min(CodeCacheFile.ReadRecord(buffer).PackedLength, 1u << 20);
            if (size > got)
            {
                if (size > buffer.Length) t_image = buffer = new byte[Math.Max(size, 2 * buffer.Length)];
                got = Read(buffer.AsSpan(0, size), offset);
            }
            return ImageIn(buffer.AsSpan(0, got), pc, irHash);
        }
    }

    // Under the lock: the native code record for the block at `pc` compiled from the IR whose stored form hashes to
    // `irHash`, copied to this thread's buffer (the window moves), or empty. A merge puts it right after the block's IR
    // record, in the window.
    ReadOnlySpan<byte> NativeImage(ulong pc, ulong irHash)
    {
        int at = Find(pc | NativeKey);
        if (at < 0) return default;
        var image = ImageIn(RecordBytes(_offsets[at]), pc, irHash);
        // Not an array per block: python3 loads ~14k images, and their garbage had cost it a collection (28 ms) that
        // its warm runs otherwise never make.
        var copy = t_image ??= new byte[4096];
        if (copy.Length < image.Length) t_image = copy = new byte[Math.Max(image.Length, 2 * copy.Length)];
        image.CopyTo(copy);
        return copy.AsSpan(0, image.Length);
    }

    // The image in `bytes` (a native code record read from its start) if it is the block at `pc`'s, compiled from the
    // IR whose XXH3 is `irHash`, whole and undamaged; else empty.
    static ReadOnlySpan<byte> ImageIn(ReadOnlySpan<byte> bytes, ulong pc, ulong irHash)
    {
        if (bytes.Length < CodeCacheRecord.Size) return default;
        var record = CodeCacheFile.ReadRecord(bytes);
        if (record.Pc != (pc | NativeKey) || record.FirstPageHash != irHash || bytes.Length - CodeCacheRecord.Size < record.PackedLength)
            return default;
        var image = bytes.Slice(CodeCacheRecord.Size, (int)record.PackedLength);
        return CodeCacheRecord.Checksum(record, image) == record.PackedHash ? image : default;
    }

    [ThreadStatic] static byte[]? t_image;

    // What a native code record of `tb` is matched by: the XXH3 of its IR as the file stores it (helpers by catalog
    // number); null for a block the file cannot hold.
    static ulong? StoredIrHash(TranslationBlock tb) =>
        StoredHelpers.ToFile(tb.PackedCode, tb.ConstantCount) is { } stored ? XxHash3.HashToUInt64(stored) : null;

    // Page hashes taken since the address space last changed (under the lock).
    readonly Dictionary<ulong, ulong> _pageHashes = new();
    int _pageHashesAt = -1;

    Dictionary<ulong, ulong> KnownPageHashes(GuestAddressSpace memory)
    {
        int now = memory.MappingChanges;
        if (now != _pageHashesAt)
        {
            _pageHashes.Clear();
            _pageHashesAt = now;
        }
        return _pageHashes;
    }

    /// <summary>Keeps the native code just compiled for <paramref name="tb"/> from its IR (its image) for the next run.</summary>
    public void RememberNative(TranslationBlock tb, ReadOnlySpan<byte> image)
    {
        if (_journal.Stopped || !tb.InCodeCache || !Backend.Native.NativeBlockCompiler.ImageIsStorable(image)) return;
        if (StoredIrHash(tb) is not { } irHash) return;
        var record = new CodeCacheRecord
        {
            Pc = tb.Pc | NativeKey,
            FirstPageHash = irHash,
            PackedLength = (uint)image.Length,
        };
        record.PackedHash = CodeCacheRecord.Checksum(record, image);
        _journal.Add(record, image);
    }

    /// <summary>Keeps a block just translated for the next run, where it can be: not one calling a helper the <see cref="HelperCatalog"/> lacks, nor one translated alone or from writable pages.</summary>
    public void Remember(TranslationBlock tb, IrBlock ir, GuestAddressSpace memory)
    {
        if (_journal.Stopped || ir.GuestEnd <= ir.GuestPc) return;
        // Helper ids as the file numbers them (this process's mean nothing to the next).
        var packed = StoredHelpers.ToFile(tb.PackedCode, tb.ConstantCount);
        if (packed == null) return;
        uint length = (uint)(tb.End - tb.Pc);
        (ulong, ulong)? hashes;
        lock (_lock) hashes = CodeCacheRecord.PageHashes(memory, tb.Pc, length, KnownPageHashes(memory));
        if (hashes is not var (firstHash, secondHash)) return;
        var record = new CodeCacheRecord
        {
            Pc = tb.Pc,
            FirstPageHash = firstHash,
            SecondPageHash = secondHash,
            GuestLength = length,
            PackedLength = (uint)packed.Length,
            OpCount = (ushort)tb.OpCount,
            TempCount = (ushort)tb.TempCount,
            ConstantCount = (ushort)tb.ConstantCount,
            PureConstants = (ushort)tb.PureConstants,
            Flags = (byte)((tb.FlagsDeadAtExit ? CodeCacheRecord.FlagsDeadAtExitBit : 0) | (ir.TracesLoop ? CodeCacheRecord.LoopTraceBit : 0)
                | (ReferenceEquals(packed, tb.PackedCode) ? 0 : CodeCacheRecord.CallsHelpersBit)),
        };
        record.PackedHash = CodeCacheRecord.Checksum(record, packed);
        tb.InCodeCache = _journal.Add(record, packed);
    }

    /// <summary>At a death by signal: the journal goes without a merge.</summary>
    public void Discard() => _journal.Discard();

    /// <summary>In a forked child: the parent's journal is not this process's to write.</summary>
    public void StopRecording() => _journal.Stop();

    /// <summary>At the guest's exit or execve: merges what this run translated into the file.</summary>
    public void Commit()
    {
        lock (_lock)
        {
            Close();
            _journal.Commit();
        }
    }
}
