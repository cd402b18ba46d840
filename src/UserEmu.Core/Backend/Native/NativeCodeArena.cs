using System.Runtime.InteropServices;
using UserEmu.Host;
using UserEmu.IR;

namespace UserEmu.Backend.Native;

/// <summary>Executable host memory for one guest process's native blocks, with their run counters and the table that maps the ids in their code back to their IR.</summary>
/// <remarks>
/// Code is only appended, and a block's code is complete before its address is published, so threads running other
/// blocks from the same page are never disturbed (x86 keeps instruction fetch coherent with stores). Memory comes back
/// only with <see cref="Reset"/>, which the dispatcher calls when it flushes the translation cache with every other
/// thread parked; <see cref="Limit"/> bounds it in between (past it, blocks stay in the interpreter).
/// </remarks>
public sealed unsafe class NativeCodeArena
{
    const int ChunkSize = NativeCodeRegion.ChunkSize;
    const int CountersPerChunk = 16384;
    /// <summary>Most bytes of machine code and counters held at once.</summary>
    public const long Limit = 512L << 20;

    /// <summary>For code compiled outside a guest process (tests, tools): never reset.</summary>
    public static readonly NativeCodeArena Shared = new();

    readonly Lock _lock = new();
    readonly ScratchList<Chunk> _chunks = new();

    readonly record struct Chunk(nint Address, bool Code);
    // Where the current chunk's next hot code goes, and where its cold code begins (it grows down).
    byte* _next, _coldNext;
    uint* _counters, _countersEnd;
    long _used, _cold, _mapped;
    volatile PreparedBlock[] _blocks = [];
    volatile NativeCode?[] _codes = [];
    int _blockCount;
    long _stubsMade;

    /// <summary>Bytes of machine code placed since the last reset, hot and cold parts together (-d stats).</summary>
    public long Used => Volatile.Read(ref _used);
    /// <summary>The part of <see cref="Used"/> in cold parts (-d stats).</summary>
    public long ColdUsed => Volatile.Read(ref _cold);
    /// <summary>Stubs made when first reached (<see cref="NativeBlockCompiler.MakeStub"/>) since the last reset; their bytes are in <see cref="ColdUsed"/>.</summary>
    public long StubsMade => Volatile.Read(ref _stubsMade);

    /// <summary>The jump table the arena's chained code goes through (one per process; null until code is compiled with one).</summary>
    public NativeJumpTable? Jumps { get; private set; }

    /// <summary>Records that code placed here goes through <paramref name="jumps"/> (before the code is published).</summary>
    internal void LinkThrough(NativeJumpTable jumps)
    {
        if (Jumps == null) Jumps = jumps;
        else if (Jumps != jumps) throw new InvalidOperationException("internal error: one arena's code linked through two jump tables");
    }

    /// <summary>An unchecked access in a block's code and the stub a host fault of it goes to, as offsets from the code's start (<see cref="NativeFaultRedirect"/>).</summary>
    public readonly record struct FaultSite(int Access, int Stub);

    /// <summary>
    /// Copies a block's code into executable memory: its hot part (<paramref name="code"/> up to
    /// <paramref name="coldStart"/>: entries and body) where the chunk's hot code ends, its cold part (the out-of-line
    /// stubs and link slots) where the chunk's cold code begins; records its fault sites. Null once <see cref="Limit"/>
    /// is reached.
    /// </summary>
    /// <remarks>
    /// Hot code grows up from a chunk's exit tails and cold code down from its end, so both parts of a block share the
    /// chunk (its tails, and rel32 reach) and the bodies that run lie side by side: cold bytes were two thirds of
    /// cc1's native code, spread between the bodies.
    /// </remarks>
    /// <param name="coldStart">Offset in <paramref name="code"/> of the cold part: a multiple of 16 (the body's end, padded for the next block's entry); the cold part goes 8-aligned, all its trampolines need (a 16-byte multiple cost cc1 ~0.4 MB of padding).</param>
    /// <param name="faultSites">Offsets in <paramref name="code"/>.</param>
    /// <param name="cold">Where the cold part went.</param>
    public byte* Place(ReadOnlySpan<byte> code, int coldStart, ReadOnlySpan<FaultSite> faultSites, out byte* cold)
    {
        System.Diagnostics.Debug.Assert(coldStart % 16 == 0 && coldStart <= code.Length);
        int hotBytes = coldStart, coldBytes = (code.Length - coldStart + 7) & ~7;
        lock (_lock)
        {
            cold = null;
            if (hotBytes + coldBytes > ChunkSize - NativeExitTails.Bytes || !MakeRoom(hotBytes + coldBytes)) return null;
            byte* at = _next;
            _coldNext -= coldBytes;
            cold = _coldNext;
            code[..coldStart].CopyTo(new Span<byte>(at, hotBytes));
            code[coldStart..].CopyTo(new Span<byte>(cold, code.Length - coldStart));
            // Under the lock: a chunk's sites must be recorded in address order.
            foreach (var site in faultSites)
                NativeCodeRegion.AddFaultSite((nint)Placed(site.Access, coldStart, at, cold), (nint)Placed(site.Stub, coldStart, at, cold));
            // 16-byte alignment for the next block's entry.
            _next += (hotBytes + 15) & ~15;
            _used += code.Length;
            _cold += code.Length - coldStart;
            return at;
        }
    }

    /// <summary>Copies a stub made after its block was placed (<see cref="NativeBlockCompiler.MakeStub"/>) to where cold code goes; null only when the code region is full.</summary>
    /// <remarks>Past <see cref="Limit"/> too (by a chunk at most before the next reset): the block's code is waiting for the stub, and stubs are few.</remarks>
    public byte* PlaceStub(ReadOnlySpan<byte> code)
    {
        int bytes = (code.Length + 15) & ~15;
        lock (_lock)
        {
            if (!MakeRoom(bytes, pastLimit: true)) return null;
            _coldNext -= bytes;
            code.CopyTo(new Span<byte>(_coldNext, code.Length));
            _used += code.Length;
            _cold += code.Length;
            _stubsMade++;
            return _coldNext;
        }
    }

    // Under the lock: `bytes` free between the current chunk's hot and cold code, in a new chunk if need be; false at
    // the limit (or, `pastLimit`, when the code region itself is full).
    bool MakeRoom(int bytes, bool pastLimit = false)
    {
        if (_next != null && _coldNext - _next >= bytes) return true;
        nint chunk = _spare;
        _spare = 0;
        if (chunk == 0 && (chunk = TakeChunk(pastLimit)) == 0) return false;
        _next = (byte*)chunk + NativeExitTails.Bytes;
        _coldNext = (byte*)chunk + ChunkSize;
        return true;
    }

    /// <summary>Where offset <paramref name="offset"/> of a block's code went once <see cref="Place"/> put its part before <paramref name="coldStart"/> at <paramref name="hot"/> and the rest at <paramref name="cold"/>.</summary>
    public static byte* Placed(int offset, int coldStart, byte* hot, byte* cold) =>
        offset < coldStart ? hot + offset : cold + (offset - coldStart);

    // A new chunk with its exit tails written, or 0 at the limit. Its first and last 2 MiB are backed (huge pages):
    // its hot and cold code begin there.
    nint TakeChunk(bool pastLimit = false)
    {
        if (_mapped + ChunkSize > Limit && !pastLimit) return 0;
        nint chunk = NativeCodeRegion.Take();
        if (chunk == 0) return 0;
        _chunks.Add(new Chunk(chunk, true));
        NativeExitTails.Write((byte*)chunk);
        Volatile.Write(ref *((byte*)chunk + ChunkSize - 1), (byte)0);
        _mapped += ChunkSize;
        return chunk;
    }

    // The chunk PrepareAhead took before Place needed it (0: none).
    nint _spare;

    /// <summary>
    /// For the compile thread when it has nothing to do: takes the next chunk before code needs it. The first write to
    /// fresh code memory is a fault that zeroes a 2 MiB page, ~11% of the compile thread's time in python3 json_sha, on
    /// the way of the block going native.
    /// </summary>
    public void PrepareAhead()
    {
        lock (_lock)
        {
            if (_next != null && _spare == 0 && _coldNext - _next < ChunkSize / 4) _spare = TakeChunk();
        }
    }

    /// <summary>Takes the first chunk before any code needs it (the compile thread, as it starts).</summary>
    public void PrepareFirst()
    {
        lock (_lock)
            if (_next == null) MakeRoom(0);
    }

    /// <summary>A zeroed run counter for a block's chain entry (kept apart from the code: stores near running code are slow).</summary>
    public uint* NewCounter()
    {
        lock (_lock)
        {
            if (_counters == _countersEnd)
            {
                if (_mapped + CountersPerChunk * sizeof(uint) > Limit) return null;
                _counters = (uint*)NativeMemory.AllocZeroed(CountersPerChunk * sizeof(uint));
                _countersEnd = _counters + CountersPerChunk;
                _chunks.Add(new Chunk((nint)_counters, false));
                _mapped += CountersPerChunk * sizeof(uint);
            }
            return _counters++;
        }
    }

    /// <summary>Registers the IR of a block about to get native code; its code hands the id back with ops for the managed side.</summary>
    public int AddBlock(PreparedBlock block)
    {
        lock (_lock)
        {
            if (_blockCount == _blocks.Length)
            {
                var bigger = new PreparedBlock[Math.Max(1024, _blockCount * 2)];
                Array.Copy(_blocks, bigger, _blockCount);
                _blocks = bigger;
            }
            _blocks[_blockCount] = block;
            return _blockCount++;
        }
    }

    /// <summary>Records the code compiled for block <paramref name="id"/>, before it can run (its stubs are made from it).</summary>
    public void SetCode(int id, NativeCode code)
    {
        lock (_lock)
        {
            if (_codes.Length < _blocks.Length)
            {
                var bigger = new NativeCode?[_blocks.Length];
                Array.Copy(_codes, bigger, _codes.Length);
                _codes = bigger;
            }
            _codes[id] = code;
        }
    }

    /// <summary>The code of block <paramref name="id"/> (<see cref="SetCode"/>).</summary>
    public NativeCode Code(int id) => _codes[id] ?? throw new InvalidOperationException($"native block {id} has no code");

    /// <summary>The IR of block <paramref name="id"/> (read without a lock: entries are written before their code exists).</summary>
    public PreparedBlock Block(int id) => _blocks[id];

    /// <summary>Frees all code, counters and ids; only with no thread in or about to enter native code from here.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            for (int n = 0; n < _chunks.Count; n++)
            {
                var (address, code) = _chunks[n];
                if (code) NativeCodeRegion.Return(address);
                else NativeMemory.Free((void*)address);
            }
            _chunks.Clear();
            _next = _coldNext = null;
            _spare = 0;
            _counters = _countersEnd = null;
            _used = _cold = _mapped = 0;
            _blocks = [];
            _codes = [];
            _blockCount = 0;
            _stubsMade = 0;
        }
    }
}
