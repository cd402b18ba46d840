using System.Runtime.InteropServices;
using UserEmu.IR;

namespace UserEmu.Backend.Native;

// NativeBlockCompiler, continued: a block's code as an image that does not depend on where it goes or on the process
// (the form the persistent code cache keeps), and putting an image in place.
public sealed unsafe partial class NativeBlockCompiler
{
    // An image: unsigned LEB128 numbers, then the code bytes (cc1's images: 50 MB with 4-byte numbers, of which 27 MB
    // were the numbers).
    //   version, code length, cold start, indirect entry, chain entry, body, loop entry, flags; counts: tail rel32s,
    //   rel32s between the two parts, link slots, fault sites, id fields, jump table fields
    // then per tail rel32 (at, tail), per crossing rel32 (at, target), per link slot (slot, field, loop edge, lead), per
    // fault site (access, stub), per id field (at), per jump table field (at): offsets in the code.
    const int ImageVersion = 2;
    const int ImageChained = 1, ImageStoresFaultOnCode = 2, ImageLinked = 4, ImageGrouped = 8, ImageCounted = 16, ImageCallsHelpers = 32;

    // Where the block's id (a 32-bit field) and the jump table's address (64-bit) are in the code emitted.
    readonly ScratchList<int> _idFields = new(), _tableFields = new();
    byte[] _image = new byte[1024];
    int _imageBytes;
    bool _callsHelpers;

    /// <summary>The image of the block this thread compiled last (<see cref="Compile"/>): valid until it compiles again; empty if it was put in place from a stored image.</summary>
    /// <remarks>Storable (<see cref="ImageIsStorable"/>) for the persistent code cache unless the block counts its runs
    /// towards a region or calls helpers: the counter's address and helper ids are this process's.</remarks>
    public static ReadOnlySpan<byte> LastImage => t_instance is { } c ? c._lastImage : default;
    ReadOnlySpan<byte> _lastImage => _image.AsSpan(0, _imageBytes);

    /// <summary>Whether <paramref name="image"/> may be kept for another process.</summary>
    public static bool ImageIsStorable(ReadOnlySpan<byte> image)
    {
        var r = new ImageReader(image);
        if (r.Next() != ImageVersion) return false;
        for (int n = 0; n < 6; n++) r.Next();
        return !r.Failed && (r.Next() & (ImageCounted | ImageCallsHelpers)) == 0 && !r.Failed;
    }

    /// <summary>Reads an image's numbers; past its end or at a malformed one, <see cref="Failed"/> and zeros.</summary>
    ref struct ImageReader(ReadOnlySpan<byte> image)
    {
        readonly ReadOnlySpan<byte> _image = image;
        public int At;
        public bool Failed;

        public int Next()
        {
            uint v = 0;
            for (int shift = 0; shift < 32; shift += 7)
            {
                if (At >= _image.Length) break;
                byte b = _image[At++];
                v |= (uint)(b & 0x7f) << shift;
                if (b < 0x80) return v <= int.MaxValue ? (int)v : Fail();
            }
            return Fail();
        }

        int Fail()
        {
            Failed = true;
            At = _image.Length;
            return 0;
        }
    }

    void Put(int v)
    {
        if (_imageBytes + 5 > _image.Length) Array.Resize(ref _image, 2 * _image.Length);
        uint u = (uint)v;
        while (u >= 0x80)
        {
            _image[_imageBytes++] = (byte)(u | 0x80);
            u >>= 7;
        }
        _image[_imageBytes++] = (byte)u;
    }

    // The code just emitted as an image, in _image.
    void WriteImage(bool counted)
    {
        _imageBytes = 0;
        int crossing = 0;
        for (int n = 0; n < _patches.Count; n++)
            if (_patches[n].At < _coldStart != _labels[_patches[n].Label] < _coldStart) crossing++;
        Put(ImageVersion);
        Put(_buf.Length);
        Put(_coldStart);
        Put(_indirectOffset);
        Put(_chainOffset);
        Put(_bodyOffset);
        Put(_loopOffset);
        Put((_chain ? ImageChained : 0) | (_storesFaultOnCode ? ImageStoresFaultOnCode : 0) | (_jumps != null ? ImageLinked : 0)
            | (_grouped ? ImageGrouped : 0) | (counted ? ImageCounted : 0) | (_callsHelpers ? ImageCallsHelpers : 0));
        Put(_tailPatches.Count);
        Put(crossing);
        Put(_exits.Count);
        Put(_faultSites.Count);
        Put(_idFields.Count);
        Put(_tableFields.Count);
        foreach (var p in _tailPatches.AsSpan())
        {
            Put(p.At);
            Put(p.Tail);
        }
        foreach (var p in _patches.AsSpan())
        {
            int to = _labels[p.Label];
            if (p.At < _coldStart == to < _coldStart) continue;
            Put(p.At);
            Put(to);
        }
        foreach (var x in _exits.AsSpan())
        {
            Put(_labels[x.Slot]);
            Put(_labels[x.Field]);
            Put(x.Loop ? 1 : 0);
            Put(x.LinkCall < 0 ? 0 : _labels[x.LinkCall] - _labels[x.Link]);
        }
        foreach (var f in _faultSites.AsSpan())
        {
            Put(f.Access);
            Put(f.Stub);
        }
        foreach (int at in _idFields.AsSpan()) Put(at);
        foreach (int at in _tableFields.AsSpan()) Put(at);
        if (_imageBytes + _buf.Length > _image.Length) Array.Resize(ref _image, _imageBytes + _buf.Length + 1024);
        _buf.Bytes.CopyTo(_image.AsSpan(_imageBytes));
        _imageBytes += _buf.Length;
    }

    // An image's header, read.
    readonly record struct ImageHeader(int Length, int ColdStart, int Indirect, int Chain, int Body, int Loop, int Flags,
        int Tails, int Crossing, int Exits, int Sites, int Ids, int Tables);

    // The header of `image`, and where its lists start; false for a malformed one.
    static bool ReadHeader(ref ImageReader r, out ImageHeader h)
    {
        h = default;
        if (r.Next() != ImageVersion) return false;
        h = new ImageHeader(r.Next(), r.Next(), r.Next(), r.Next(), r.Next(), r.Next(), r.Next(), r.Next(), r.Next(), r.Next(), r.Next(),
            r.Next(), r.Next());
        return !r.Failed;
    }

    // Whether `image` is sound and was made with this compile's settings; false for one to compile afresh instead.
    static bool ImageFits(ReadOnlySpan<byte> image, bool chain, bool linked, bool storesFaultOnCode)
    {
        var r = new ImageReader(image);
        if (image.IsEmpty || !ReadHeader(ref r, out var h)) return false;
        int want = (chain ? ImageChained : 0) | (storesFaultOnCode ? ImageStoresFaultOnCode : 0) | (linked ? ImageLinked : 0)
            | (NativeFaultRedirect.Enabled ? ImageGrouped : 0);
        if (h.Flags != want || h.ColdStart > h.Length || h.ColdStart % 16 != 0 || h.Indirect > h.ColdStart || h.Chain > h.ColdStart
            || h.Body > h.ColdStart || h.Loop > h.Length)
            return false;
        // Every offset lies in the code (a 4- or 8-byte field whole), every tail among the exit tails.
        for (int n = 0; n < h.Tails; n++)
            if (!Within(r.Next(), 4) || (uint)r.Next() >= NativeExitTails.Bytes) return false;
        for (int n = 0; n < h.Crossing; n++)
            if (!Within(r.Next(), 4) || !Within(r.Next(), 0)) return false;
        for (int n = 0; n < h.Exits; n++)
            if (!Within(r.Next(), 8) || !Within(r.Next(), 4) || (uint)r.Next() > 1 || (uint)r.Next() > 63) return false;
        for (int n = 0; n < h.Sites; n++)
            if (!Within(r.Next(), 1) || !Within(r.Next(), 0)) return false;
        for (int n = 0; n < h.Ids; n++)
            if (!Within(r.Next(), 4)) return false;
        for (int n = 0; n < h.Tables; n++)
            if (!Within(r.Next(), 8)) return false;
        return !r.Failed && image.Length - r.At == h.Length;

        bool Within(int offset, int bytes) => offset <= h.Length - bytes;
    }

    // Fault sites read from an image, for Place.
    readonly ScratchList<NativeCodeArena.FaultSite> _imageSites = new();

    // Copies the image's code to the arena and makes it this process's: its rel32s to the exit tails and across its two
    // parts, link slots, fault sites, block id and jump table; then the block's NativeCode. Null when the arena is full.
    // The image has passed ImageFits (or was just written).
    NativeCode? Install(ReadOnlySpan<byte> image, int id, NativeCodeArena arena, RegionCounter? counted, NativeJumpTable? jumps)
    {
        var r = new ImageReader(image);
        ReadHeader(ref r, out var h);
        int coldStart = h.ColdStart;
        var code = image[(image.Length - h.Length)..];
        // NativeCode keeps the two parts' lengths in 16 bits.
        if (coldStart - h.Indirect > ushort.MaxValue || h.Length - coldStart > ushort.MaxValue) return null;
        // The fault sites come after the other lists: read past those first, then back.
        var lists = r;
        for (int n = 0; n < 2 * h.Tails + 2 * h.Crossing + 4 * h.Exits; n++) r.Next();
        _imageSites.Clear();
        for (int n = 0; n < h.Sites; n++) _imageSites.Add(new NativeCodeArena.FaultSite(r.Next(), r.Next()));
        byte* at = arena.Place(code, coldStart, _imageSites.AsSpan(), out byte* cold);
        if (at == null) return null;
        for (int n = 0; n < h.Ids; n++) *(uint*)Address(r.Next()) = (uint)id;
        for (int n = 0; n < h.Tables; n++) *(ulong*)Address(r.Next()) = (ulong)jumps!.Entries;
        r = lists;
        byte* tails = NativeExitTails.Of(at);
        for (int n = 0; n < h.Tails; n++) SetRel32(Address(r.Next()), tails + r.Next());
        // The two parts went apart: a rel32 from one to the other is made again from where they are.
        for (int n = 0; n < h.Crossing; n++) SetRel32(Address(r.Next()), Address(r.Next()));
        // Each direct exit's link slot: where its jmp's rel32 is, whose first value, to the exit's own return path just
        // before the slot, unlinking puts back (LinkSlot, NativeJumpTable.Link, Unlink).
        for (int n = 0; n < h.Exits; n++) LinkSlot.Init((LinkSlot*)Address(r.Next()), (int*)Address(r.Next()), r.Next() != 0, r.Next());
        bool linked = (h.Flags & ImageLinked) != 0;
        if (linked) arena.LinkThrough(jumps!);
        var native = new NativeCode(at + h.Indirect, h.Chain - h.Indirect, h.Body - h.Indirect, counted, coldStart - h.Indirect, cold,
            h.Length - coldStart, linked, h.Loop)
        {
            Chained = (h.Flags & ImageChained) != 0, StoresFaultOnCode = (h.Flags & ImageStoresFaultOnCode) != 0,
        };
        arena.SetCode(id, native);
        return native;

        byte* Address(int offset) => NativeCodeArena.Placed(offset, coldStart, at, cold);
    }

    // USEREMU_CHECK_IR_DROPS (the test suite): a stored image is compared with the block compiled afresh.
    static readonly bool s_checkImages = Environment.GetEnvironmentVariable("USEREMU_CHECK_IR_DROPS") is { Length: > 0 } v && v != "0";

    // Whether compiling `block` afresh gives `stored` once the stored image has this process's id and jump table.
    bool CompilesTo(ReadOnlySpan<byte> stored, PreparedBlock block, int id, bool chain)
    {
        if (!Emit(block, id, chain, null)) return false;
        WriteImage(counted: false);
        var mine = _lastImage;
        if (mine.Length != stored.Length) return false;
        var copy = stored.ToArray();
        var r = new ImageReader(stored);
        ReadHeader(ref r, out var h);
        for (int n = 0; n < 2 * h.Tails + 2 * h.Crossing + 4 * h.Exits + 2 * h.Sites; n++) r.Next();
        var code = copy.AsSpan(stored.Length - h.Length);
        for (int n = 0; n < h.Ids; n++) MemoryMarshal.Write(code[r.Next()..], (uint)id);
        for (int n = 0; n < h.Tables; n++) MemoryMarshal.Write(code[r.Next()..], (ulong)_jumps!.Entries);
        return mine.SequenceEqual(copy);
    }
}
