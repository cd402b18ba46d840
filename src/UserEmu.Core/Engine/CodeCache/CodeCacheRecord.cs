using System.IO.Hashing;
using System.Runtime.InteropServices;
using UserEmu.Memory;

namespace UserEmu.Engine.CodeCache;

/// <summary>One translated block as the persistent code cache stores it: its guest range, the hashes of the guest pages it was translated from, and its prepared IR.</summary>
/// <remarks>
/// A translation depends on the bytes of the block's pages, not only its own: flag liveness decodes the successors on
/// them (Frontend.X86.SuccessorFlags), a loop trace translates code before the start on the first. So a stored block is
/// used again only where each of its pages (one or two) is executable, not writable, and hashes as it did. Helper ids
/// are numbered per process, so a stored block names its helpers by <see cref="IR.HelperCatalog"/> number; one calling
/// a helper whose immediate indexes the decoded-instruction table (a raised signal) is not stored.
/// </remarks>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
struct CodeCacheRecord
{
    public ulong Pc;
    public ulong FirstPageHash, SecondPageHash;
    /// <summary>The hash of the other fields and the packed IR (<see cref="Checksum"/>), checked before use: a damaged file must not run as code.</summary>
    public ulong PackedHash;
    public uint GuestLength, PackedLength;
    public ushort OpCount, TempCount, ConstantCount, PureConstants;
    public byte Flags;
    byte _pad0, _pad1, _pad2, _pad3, _pad4, _pad5, _pad6;

    /// <summary><see cref="CallsHelpersBit"/>: the packed IR names its helpers by <see cref="IR.HelperCatalog"/> number + 1 (StoredHelpers).</summary>
    public const byte FlagsDeadAtExitBit = 1, LoopTraceBit = 2, CallsHelpersBit = 4;
    public static readonly int Size = Marshal.SizeOf<CodeCacheRecord>();

    public readonly bool FlagsDeadAtExit => (Flags & FlagsDeadAtExitBit) != 0;
    public readonly bool TracesLoop => (Flags & LoopTraceBit) != 0;
    public readonly bool CallsHelpers => (Flags & CallsHelpersBit) != 0;

    /// <summary>The hash of <paramref name="record"/>'s fields but <see cref="PackedHash"/> and of its packed IR.</summary>
    public static ulong Checksum(CodeCacheRecord record, ReadOnlySpan<byte> packed)
    {
        record.PackedHash = 0;
        ulong fields = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(new ReadOnlySpan<CodeCacheRecord>(in record)));
        return XxHash3.HashToUInt64(packed, (long)fields);
    }

    /// <summary>The first guest page of a block at <paramref name="pc"/> of <paramref name="length"/> bytes, and its last (the same or the next).</summary>
    static (ulong First, ulong Last) Pages(ulong pc, uint length) =>
        (pc & ~GuestAddressSpace.PageMask, (pc + Math.Max(length, 1u) - 1) & ~GuestAddressSpace.PageMask);

    /// <summary>The hash of the guest page at <paramref name="page"/> if it holds code the cache may keep (mapped, executable, not writable), else null.</summary>
    /// <param name="known">Hashes taken since the address space last changed (<see cref="GuestAddressSpace.MappingChanges"/>): a
    /// page not writable cannot change meanwhile, and python3's start-up had hashed each of its code pages ~20 times.</param>
    public static unsafe ulong? HashOfCodePage(GuestAddressSpace memory, ulong page, Dictionary<ulong, ulong> known)
    {
        const PageFlags need = PageFlags.Mapped | PageFlags.Exec;
        var flags = memory.FlagsAt(page);
        if ((flags & (need | PageFlags.Write)) != need) return null;
        if (known.TryGetValue(page, out ulong hash)) return hash;
        hash = XxHash3.HashToUInt64(new ReadOnlySpan<byte>(memory.HostBase + page, (int)GuestAddressSpace.PageSize));
        known[page] = hash;
        return hash;
    }

    /// <summary>The hashes of the one or two guest pages of a block at <paramref name="pc"/> of <paramref name="length"/> bytes (0 for no second page), or null where one is not code the cache may keep.</summary>
    public static (ulong First, ulong Second)? PageHashes(GuestAddressSpace memory, ulong pc, uint length, Dictionary<ulong, ulong> known)
    {
        var (first, last) = Pages(pc, length);
        if (last - first > GuestAddressSpace.PageSize || HashOfCodePage(memory, first, known) is not { } firstHash) return null;
        if (last == first) return (firstHash, 0);
        return HashOfCodePage(memory, last, known) is { } secondHash ? (firstHash, secondHash) : null;
    }

    /// <summary>Whether the guest code this record was made from is there now, unchanged.</summary>
    public readonly bool MatchesGuestCode(GuestAddressSpace memory, Dictionary<ulong, ulong> known) =>
        PageHashes(memory, Pc, GuestLength, known) == (FirstPageHash, SecondPageHash);
}
