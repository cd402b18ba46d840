using System.Runtime.CompilerServices;
using UserEmu.Host;

namespace UserEmu.Memory;

/// <summary>
/// The guest's virtual address space: one host reservation that guest address A lives at HostBase + A,
/// plus a byte-per-page table of guest permissions that every guest access is checked against
/// (a host fault would kill the .NET runtime, so the check is ours; see shared/NOTES.md).
/// </summary>
public sealed unsafe partial class GuestAddressSpace : IDisposable
{
    public const int PageShift = 12;
    public const ulong PageSize = 1UL << PageShift;
    public const ulong PageMask = PageSize - 1;

    /// <summary>Host address of guest address 0.</summary>
    public readonly byte* HostBase;
    /// <summary>One <see cref="PageFlags"/> byte per guest page.</summary>
    public readonly byte* Pages;
    /// <summary>Number of guest pages; every guest address is below PageCount &lt;&lt; PageShift.</summary>
    public readonly ulong PageCount;
    public readonly ulong Limit;

    /// <summary>
    /// Inaccessible host bytes reserved right below guest address 0 and right above <see cref="Limit"/>: native code
    /// checks that one address of a span of guest accesses lies inside the reservation, and a span that runs past either
    /// end (below 0: guest addresses that wrap to the top of the 64-bit space) faults in a guard instead of touching host
    /// memory (the fault goes to the access's stub, which raises the guest's SIGSEGV).
    /// </summary>
    public const int GuardBytes = 64 << 10;

    /// <summary>Top of the initial stack region and start of the top-down mmap area below it.</summary>
    public ulong StackTop { get; }
    public ulong MmapBase { get; }
    /// <summary>Base for ET_DYN executables, as Linux's ELF_ET_DYN_BASE (2/3 of the space).</summary>
    public ulong DynExecBase { get; }

    public ulong BrkStart { get; private set; }
    public ulong BrkCurrent { get; private set; }

    /// <summary>Called (under the map lock) when a write hits a page holding translated code, or its mapping changes; the flag says whether the page's code can still be read as it was (a write about to happen, not an unmapping or a protection change).</summary>
    public Action<ulong, bool>? CodePageWritten;

    readonly List<GuestMapping> _maps = new();
    readonly Lock _lock = new();

    public GuestAddressSpace(int addressBits = 0)
    {
        int[] tries = addressBits != 0 ? [addressBits] : [46, 45, 44, 42, 40];
        foreach (int bits in tries)
        {
            ulong size = 1UL << bits;
            // The guards below and above the guest's bytes stay inaccessible: native code checks only one address of a
            // span, which the rest of it may run up to a guard's size below or above.
            nint res = LibC.mmap(0, (nuint)(size + 2 * GuardBytes), LibC.PROT_NONE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
            if (res == LibC.MAP_FAILED) continue;
            ulong pages = size >> PageShift;
            // One page more than the guest has: native stores read the flags of a page and the next few at once.
            nint table = LibC.mmap(0, (nuint)(pages + PageSize), LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
            if (table == LibC.MAP_FAILED)
            {
                LibC.munmap(res, (nuint)(size + 2 * GuardBytes));
                continue;
            }
            HostBase = (byte*)res + GuardBytes;
            Pages = (byte*)table;
            PageCount = pages;
            Limit = size;
            break;
        }
        if (HostBase == null) throw new InvalidOperationException("cannot reserve host address space for the guest");
        StackTop = Limit - 16 * PageSize;
        MmapBase = (StackTop - (256UL << 20)) & ~PageMask;
        DynExecBase = (Limit / 3 * 2) & ~(PageSize * 16 - 1);
    }

    public void Dispose()
    {
        LibC.munmap((nint)(HostBase - GuardBytes), (nuint)(Limit + 2 * GuardBytes));
        LibC.munmap((nint)Pages, (nuint)(PageCount + PageSize));
    }

    public static ulong PageAlignUp(ulong v) => (v + PageMask) & ~PageMask;
    public static ulong PageAlignDown(ulong v) => v & ~PageMask;

    // ---- access checks -------------------------------------------------------------------

    /// <summary>True if [addr, addr+size) lies in one page that allows <paramref name="need"/> (fast path).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool FastCheck(ulong addr, uint size, PageFlags need)
    {
        ulong page = addr >> PageShift;
        return page < PageCount && (addr & PageMask) <= PageSize - size && ((PageFlags)Pages[page] & need) == need;
    }

    /// <summary>True if bits 63..47 of <paramref name="addr"/> are all equal (48-bit virtual addresses).</summary>
    public static bool IsCanonical(ulong addr) => (ulong)((long)addr >> 47) + 1 <= 1;

    /// <summary>Checks a guest range for an access and throws the guest fault the kernel would raise.</summary>
    public void Check(ulong addr, ulong size, bool write)
    {
        if (size == 0) return;
        ulong end = addr + size - 1;
        if (!IsCanonical(addr) || !IsCanonical(end)) throw new GuestFaultException(addr, FaultKind.GeneralProtection, write);
        if (end < addr) throw new GuestFaultException(addr, FaultKind.Unmapped, write);
        var need = write ? PageFlags.Write : PageFlags.Read;
        for (ulong p = addr >> PageShift; p <= end >> PageShift; p++)
        {
            ulong at = Math.Max(addr, p << PageShift);
            if (p >= PageCount) throw new GuestFaultException(at, FaultKind.Unmapped, write);
            var f = (PageFlags)Pages[p];
            if ((f & need) != need && Revived(at, need)) f = (PageFlags)Pages[p];
            if ((f & need) != need)
            {
                // Allowed, but no file behind the page: SIGBUS, as the kernel's fault handler gives.
                if ((f & PageFlags.PastEof) != 0 && (ProtAt(at) & need) == need) throw new GuestFaultException(at, FaultKind.Bus, write);
                throw new GuestFaultException(at, (f & PageFlags.Mapped) != 0 ? FaultKind.Protection : FaultKind.Unmapped, write);
            }
            if (write && (f & PageFlags.HasCode) != 0) InvalidateCodePage(p << PageShift, codeReadable: true);
        }
    }

    /// <summary>True if every page of the range has all of <paramref name="need"/>.</summary>
    public bool IsAccessible(ulong addr, ulong size, PageFlags need)
    {
        if (size == 0) return true;
        ulong end = addr + size - 1;
        if (end < addr) return false;
        for (ulong p = addr >> PageShift; p <= end >> PageShift; p++)
            if (p >= PageCount || (((PageFlags)Pages[p] & need) != need && !Revived(p << PageShift, need))) return false;
        return true;
    }

    /// <summary>
    /// Whether the page at <paramref name="addr"/>, past its file's end when mapped, now allows <paramref name="need"/>
    /// because the file has grown (its access bits come back); false for every other page.
    /// </summary>
    public bool Revived(ulong addr, PageFlags need) =>
        (FlagsAt(addr) & PageFlags.PastEof) != 0 && !StillPastEof(addr) && (FlagsAt(addr) & need) == need;

    public PageFlags FlagsAt(ulong addr) => (addr >> PageShift) < PageCount ? (PageFlags)Pages[addr >> PageShift] : PageFlags.None;

    /// <summary>Host pointer for a guest address; callers must have checked the range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* Host(ulong addr) => HostBase + addr;

    // ---- typed guest access (checked) -----------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte Read8(ulong a) { if (!FastCheck(a, 1, PageFlags.Read)) Check(a, 1, false); return HostBase[a]; }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort Read16(ulong a) { if (!FastCheck(a, 2, PageFlags.Read)) Check(a, 2, false); return Unsafe.ReadUnaligned<ushort>(HostBase + a); }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Read32(ulong a) { if (!FastCheck(a, 4, PageFlags.Read)) Check(a, 4, false); return Unsafe.ReadUnaligned<uint>(HostBase + a); }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Read64(ulong a) { if (!FastCheck(a, 8, PageFlags.Read)) Check(a, 8, false); return Unsafe.ReadUnaligned<ulong>(HostBase + a); }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public UInt128 Read128(ulong a) { if (!FastCheck(a, 16, PageFlags.Read)) Check(a, 16, false); return Unsafe.ReadUnaligned<UInt128>(HostBase + a); }

    const PageFlags WriteFast = PageFlags.Write | PageFlags.HasCode;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    bool FastWrite(ulong a, uint size)
    {
        ulong page = a >> PageShift;
        return page < PageCount && (a & PageMask) <= PageSize - size && ((PageFlags)Pages[page] & WriteFast) == PageFlags.Write;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write8(ulong a, byte v) { if (!FastWrite(a, 1)) Check(a, 1, true); HostBase[a] = v; }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write16(ulong a, ushort v) { if (!FastWrite(a, 2)) Check(a, 2, true); Unsafe.WriteUnaligned(HostBase + a, v); }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write32(ulong a, uint v) { if (!FastWrite(a, 4)) Check(a, 4, true); Unsafe.WriteUnaligned(HostBase + a, v); }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write64(ulong a, ulong v) { if (!FastWrite(a, 8)) Check(a, 8, true); Unsafe.WriteUnaligned(HostBase + a, v); }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write128(ulong a, UInt128 v) { if (!FastWrite(a, 16)) Check(a, 16, true); Unsafe.WriteUnaligned(HostBase + a, v); }

    /// <summary>Reads by access size in bytes (1, 2, 4, 8), zero-extended.</summary>
    public ulong Read(ulong a, int size) => size switch
    {
        1 => Read8(a),
        2 => Read16(a),
        4 => Read32(a),
        _ => Read64(a),
    };

    /// <summary>Writes the low <paramref name="size"/> bytes of <paramref name="v"/>.</summary>
    public void Write(ulong a, int size, ulong v)
    {
        switch (size)
        {
            case 1: Write8(a, (byte)v); break;
            case 2: Write16(a, (ushort)v); break;
            case 4: Write32(a, (uint)v); break;
            default: Write64(a, v); break;
        }
    }

    // ---- bulk access for the syscall bridge ---------------------------------------------

    /// <summary>A checked span over guest memory for reading (throws <see cref="GuestFaultException"/>).</summary>
    public ReadOnlySpan<byte> ReadSpan(ulong addr, int length)
    {
        Check(addr, (ulong)length, false);
        return new ReadOnlySpan<byte>(HostBase + addr, length);
    }

    /// <summary>A checked span over guest memory for writing (throws <see cref="GuestFaultException"/>).</summary>
    public Span<byte> WriteSpan(ulong addr, int length)
    {
        Check(addr, (ulong)length, true);
        return new Span<byte>(HostBase + addr, length);
    }

    public void ReadBytes(ulong addr, Span<byte> dst) => ReadSpan(addr, dst.Length).CopyTo(dst);
    public void WriteBytes(ulong addr, ReadOnlySpan<byte> src) => src.CopyTo(WriteSpan(addr, src.Length));

    public T ReadStruct<T>(ulong addr) where T : unmanaged
    {
        Check(addr, (ulong)sizeof(T), false);
        return Unsafe.ReadUnaligned<T>(HostBase + addr);
    }

    public void WriteStruct<T>(ulong addr, in T value) where T : unmanaged
    {
        Check(addr, (ulong)sizeof(T), true);
        Unsafe.WriteUnaligned(HostBase + addr, value);
    }

    /// <summary>Reads a NUL-terminated guest string (at most <paramref name="max"/> bytes) as raw bytes.</summary>
    public byte[] ReadCStringBytes(ulong addr, int max = 4096)
    {
        var buf = new List<byte>(64);
        for (int i = 0; i < max; i++)
        {
            byte b = Read8(addr + (ulong)i);
            if (b == 0) return buf.ToArray();
            buf.Add(b);
        }
        throw new GuestNameTooLongException();
    }

    /// <summary>Reads a NUL-terminated guest string decoded as UTF-8 (file names, environment).</summary>
    public string ReadCString(ulong addr, int max = 4096) => System.Text.Encoding.UTF8.GetString(ReadCStringBytes(addr, max));
}

/// <summary>A guest string ran past its limit (the kernel's ENAMETOOLONG).</summary>
public sealed class GuestNameTooLongException : Exception;
