using System.Runtime.InteropServices;
using UserEmu.IR;

namespace UserEmu.Backend.Native;

// NativeBlockCompiler, continued: a block's code as an image that does not depend on where it goes or on the process
// (the form the persistent code cache keeps), and putting an image in place.
public sealed unsafe partial class NativeBlockCompiler
{
    // An image: unsigned LEB128 numbers, then the code bytes (cc1's images: 50 MB with 4-byte numbers, of which 27 MB
    // were the numbers). The numbers (Word*):
    //   version, code length, cold start, indirect entry, chain entry, body, loop entry, flags; counts: tail rel32s,
    //   rel32s between the two parts, link slots, fault sites, id fields, jump table fields
    // then per tail rel32 (at, tail), per crossing rel32 (at, target), per link slot (slot, field, loop edge, lead), per
    // fault site (access, stub), per id field (at), per jump table field (at): offsets in the code.
    const int ImageVersion = 2;
    const int ImageChained = 1, ImageStoresFaultOnCode = 2, ImageLinked = 4, ImageGrouped = 8, ImageCounted = 16;
    const int WordLength = 1, WordColdStart = 2, WordIndirect = 3, WordChain = 4, WordBody = 5, WordLoop = 6, WordFlags = 7,
        WordTails = 8, WordCrossing = 9, WordExits = 10, WordSites = 11, WordIds = 12, WordTables = 13, HeaderWords = 14;

    // Where the block's id (a 32-bit field) and the jump table's address (64-bit) are in the code emitted.
    readonly ScratchList<int> _idFields = new(), _tableFields = new();
    // The numbers of the image written or read last (Install reads them, not the image: decoding them was ~40% of
    // putting a stored image in place), and the image.
    readonly ScratchList<int> _words = new(256);
    byte[] _image = new byte[1024];
    int _imageBytes;

    /// <summary>The image of the block this thread compiled last (<see cref="Compile"/>): valid until it compiles again; empty if it was put in place from a stored image.</summary>
    /// <remarks>Storable (<see cref="ImageIsStorable"/>) for the persistent code cache unless the block counts its runs
    /// towards a region: the counter's address is this process's. (Helper calls go through the block's IR, whose helper
    /// ids the cache maps.)</remarks>
    public static ReadOnlySpan<byte> LastImage => t_instance is { } c ? c._lastImage : default;
    ReadOnlySpan<byte> _lastImage => _image.AsSpan(0, _imageBytes);

    /// <summary>Whether <paramref name="image"/> may be kept for another process.</summary>
    public static bool ImageIsStorable(ReadOnlySpan<byte> image)
    {
        int at = 0;
        if (Leb128(image, ref at) != ImageVersion) return false;
        for (int n = 1; n < WordFlags; n++) Leb128(image, ref at);
        int flags = Leb128(image, ref at);
        return flags >= 0 && (flags & ImageCounted) == 0;
    }

    // The number at `at` in `image`, moving past it; -1 for one malformed or past the end.
    static int Leb128(ReadOnlySpan<byte> image, ref int at)
    {
        uint v = 0;
        for (int shift = 0; shift < 32 && (uint)at < (uint)image.Length; shift += 7)
        {
            byte b = image[at++];
            v |= (uint)(b & 0x7f) << shift;
            if (b < 0x80) return v <= int.MaxValue ? (int)v : -1;
        }
        at = image.Length;
        return -1;
    }

    // The code just emitted as numbers (in _words) and an image (in _image).
    void WriteImage(bool counted)
    {
        var w = _words;
        w.Clear();
        w.Add(ImageVersion);
        w.Add(_buf.Length);
        w.Add(_coldStart);
        w.Add(_indirectOffset);
        w.Add(_chainOffset);
        w.Add(_bodyOffset);
        w.Add(_loopOffset);
        w.Add((_chain ? ImageChained : 0) | (_storesFaultOnCode ? ImageStoresFaultOnCode : 0) | (_jumps != null ? ImageLinked : 0)
            | (_grouped ? ImageGrouped : 0) | (counted ? ImageCounted : 0));
        w.Add(_tailPatches.Count);
        int crossing = w.Count;
        w.Add(0);
        w.Add(_exits.Count);
        w.Add(_faultSites.Count);
        w.Add(_idFields.Count);
        w.Add(_tableFields.Count);
        foreach (var p in _tailPatches.AsSpan())
        {
            w.Add(p.At);
            w.Add(p.Tail);
        }
        foreach (var p in _patches.AsSpan())
        {
            int to = _labels[p.Label];
            if (p.At < _coldStart == to < _coldStart) continue;
            w.Add(p.At);
            w.Add(to);
            w[crossing]++;
        }
        foreach (var x in _exits.AsSpan())
        {
            w.Add(_labels[x.Slot]);
            w.Add(_labels[x.Field]);
            w.Add(x.Loop ? 1 : 0);
            w.Add(x.LinkCall < 0 ? 0 : _labels[x.LinkCall] - _labels[x.Link]);
        }
        foreach (var f in _faultSites.AsSpan())
        {
            w.Add(f.Access);
            w.Add(f.Stub);
        }
        foreach (int at in _idFields.AsSpan()) w.Add(at);
        foreach (int at in _tableFields.AsSpan()) w.Add(at);
        if (_image.Length < 5 * w.Count + _buf.Length) _image = new byte[Math.Max(5 * w.Count + _buf.Length, 2 * _image.Length)];
        int n = 0;
        foreach (int v in w.AsSpan())
        {
            uint u = (uint)v;
            for (; u >= 0x80; u >>= 7) _image[n++] = (byte)(u | 0x80);
            _image[n++] = (byte)u;
        }
        _buf.Bytes.CopyTo(_image.AsSpan(n));
        _imageBytes = n + _buf.Length;
    }

    // Decodes `image`'s numbers into _words and checks that it is sound and was made with this compile's settings;
    // false for one to compile afresh instead.
    bool ReadImage(ReadOnlySpan<byte> image, bool chain, bool linked, bool storesFaultOnCode)
    {
        var w = _words;
        w.Clear();
        int at = 0;
        for (int n = 0; n < HeaderWords; n++) w.Add(Leb128(image, ref at));
        if (w[0] != ImageVersion) return false;
        for (int n = 1; n < HeaderWords; n++)
            if (w[n] < 0) return false;
        int want = (chain ? ImageChained : 0) | (storesFaultOnCode ? ImageStoresFaultOnCode : 0) | (linked ? ImageLinked : 0)
            | (NativeFaultRedirect.Enabled ? ImageGrouped : 0);
        int length = w[WordLength], coldStart = w[WordColdStart];
        if (w[WordFlags] != want || coldStart > length || coldStart % 16 != 0 || w[WordIndirect] > coldStart || w[WordChain] > coldStart
            || w[WordBody] > coldStart || w[WordLoop] > length)
            return false;
        long lists = 2L * w[WordTails] + 2L * w[WordCrossing] + 4L * w[WordExits] + 2L * w[WordSites] + w[WordIds] + w[WordTables];
        if (lists > image.Length) return false;
        for (int n = 0; n < lists; n++) w.Add(Leb128(image, ref at));
        if (image.Length - at != length) return false;
        // Every offset lies in the code (a 4- or 8-byte field whole), every tail among the exit tails.
        int k = HeaderWords;
        for (int n = 0; n < w[WordTails]; n++, k += 2)
            if (!Within(w[k], 4) || (uint)w[k + 1] >= NativeExitTails.Bytes) return false;
        for (int n = 0; n < w[WordCrossing]; n++, k += 2)
            if (!Within(w[k], 4) || !Within(w[k + 1], 0)) return false;
        for (int n = 0; n < w[WordExits]; n++, k += 4)
            if (!Within(w[k], 8) || !Within(w[k + 1], 4) || (uint)w[k + 2] > 1 || (uint)w[k + 3] > 63) return false;
        for (int n = 0; n < w[WordSites]; n++, k += 2)
            if (!Within(w[k], 1) || !Within(w[k + 1], 0)) return false;
        for (int n = 0; n < w[WordIds]; n++, k++)
            if (!Within(w[k], 4)) return false;
        for (int n = 0; n < w[WordTables]; n++, k++)
            if (!Within(w[k], 8)) return false;
        return true;

        bool Within(int offset, int bytes) => (uint)offset <= (uint)(length - bytes);
    }

    // Copies `code` to the arena and makes it this process's from the numbers in _words (written with it, or read and
    // checked by ReadImage): its rel32s to the exit tails and across its two parts, link slots, fault sites, block id
    // and jump table; then the block's NativeCode. Null when the arena is full.
    NativeCode? Install(ReadOnlySpan<byte> code, int id, NativeCodeArena arena, RegionCounter? counted, NativeJumpTable? jumps)
    {
        var w = _words.AsSpan();
        int coldStart = w[WordColdStart], indirect = w[WordIndirect], flags = w[WordFlags];
        // NativeCode keeps the two parts' lengths in 16 bits.
        if (coldStart - indirect > ushort.MaxValue || code.Length - coldStart > ushort.MaxValue) return null;
        int k = HeaderWords;
        var tails = w.Slice(k, 2 * w[WordTails]);
        var crossing = w.Slice(k += tails.Length, 2 * w[WordCrossing]);
        var slots = w.Slice(k += crossing.Length, 4 * w[WordExits]);
        var sites = System.Runtime.InteropServices.MemoryMarshal.Cast<int, NativeCodeArena.FaultSite>(w.Slice(k += slots.Length, 2 * w[WordSites]));
        var ids = w.Slice(k += 2 * sites.Length, w[WordIds]);
        var tables = w.Slice(k + ids.Length, w[WordTables]);
        byte* at = arena.Place(code, coldStart, sites, out byte* cold);
        if (at == null) return null;
        foreach (int f in ids) *(uint*)Address(f) = (uint)id;
        foreach (int f in tables) *(ulong*)Address(f) = (ulong)jumps!.Entries;
        byte* tailsAt = NativeExitTails.Of(at);
        for (int n = 0; n < tails.Length; n += 2) SetRel32(Address(tails[n]), tailsAt + tails[n + 1]);
        // The two parts went apart: a rel32 from one to the other is made again from where they are.
        for (int n = 0; n < crossing.Length; n += 2) SetRel32(Address(crossing[n]), Address(crossing[n + 1]));
        // Each direct exit's link slot: where its jmp's rel32 is, whose first value, to the exit's own return path just
        // before the slot, unlinking puts back (LinkSlot, NativeJumpTable.Link, Unlink).
        for (int n = 0; n < slots.Length; n += 4) LinkSlot.Init((LinkSlot*)Address(slots[n]), (int*)Address(slots[n + 1]), slots[n + 2] != 0, slots[n + 3]);
        bool linked = (flags & ImageLinked) != 0;
        if (linked) arena.LinkThrough(jumps!);
        var native = new NativeCode(at + indirect, w[WordChain] - indirect, w[WordBody] - indirect, counted, coldStart - indirect, cold,
            code.Length - coldStart, linked, w[WordLoop])
        {
            Chained = (flags & ImageChained) != 0, StoresFaultOnCode = (flags & ImageStoresFaultOnCode) != 0,
        };
        arena.SetCode(id, native);
        return native;

        byte* Address(int offset) => NativeCodeArena.Placed(offset, coldStart, at, cold);
    }

    // USEREMU_CHECK_IR_DROPS (the test suite): a stored image is compared with the block compiled afresh.
    static readonly bool s_checkImages = Environment.GetEnvironmentVariable("USEREMU_CHECK_IR_DROPS") is { Length: > 0 } v && v != "0";

    // Whether compiling `block` afresh gives `stored` once the stored image has this process's id and jump table (the
    // numbers in _words are the fresh image's after this).
    bool CompilesTo(ReadOnlySpan<byte> stored, PreparedBlock block, int id, bool chain)
    {
        var jumps = _jumps;
        if (!Emit(block, id, chain, null)) return false;
        WriteImage(counted: false);
        if (!_lastImage.SequenceEqual(stored))
        {
            // Equal but for the id and jump table fields? Those are where the fresh image's numbers say.
            var copy = stored.ToArray();
            if (copy.Length != _imageBytes) return false;
            var w = _words.AsSpan();
            int fields = w.Length - w[WordIds] - w[WordTables];
            var code = copy.AsSpan(copy.Length - w[WordLength]);
            for (int n = 0; n < w[WordIds]; n++) MemoryMarshal.Write(code[w[fields + n]..], (uint)id);
            for (int n = 0; n < w[WordTables]; n++) MemoryMarshal.Write(code[w[fields + w[WordIds] + n]..], (ulong)jumps!.Entries);
            return _lastImage.SequenceEqual(copy);
        }
        return true;
    }
}
