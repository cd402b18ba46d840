using UserEmu.Memory;
using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>The guest address space: mmap, munmap, mprotect, mremap, brk and the advisory calls, through <see cref="GuestAddressSpace"/>.</summary>
/// <remarks>
/// Arguments are validated in the kernel's order (mm/mmap.c, mm/mprotect.c, mm/mremap.c) so guests probing with bad
/// arguments see the same errors. Translated code in a range that is unmapped, replaced or loses exec permission is
/// dropped from the translation cache.
/// </remarks>
public static unsafe class MemorySyscalls
{
    public const int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4, PROT_SEM = 8, PROT_GROWSDOWN = 0x01000000, PROT_GROWSUP = 0x02000000;
    public const int MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_SHARED_VALIDATE = 3, MAP_DROPPABLE = 8, MAP_TYPE = 0xf, MAP_FIXED = 0x10,
        MAP_ANONYMOUS = 0x20, MAP_32BIT = 0x40, MAP_GROWSDOWN = 0x100, MAP_DENYWRITE = 0x800, MAP_EXECUTABLE = 0x1000,
        MAP_LOCKED = 0x2000, MAP_NORESERVE = 0x4000, MAP_POPULATE = 0x8000, MAP_NONBLOCK = 0x10000, MAP_STACK = 0x20000,
        MAP_HUGETLB = 0x40000, MAP_SYNC = 0x80000, MAP_FIXED_NOREPLACE = 0x100000, MAP_UNINITIALIZED = 0x4000000;
    public const int MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2, MREMAP_DONTUNMAP = 4;
    public const int MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4;
    public const int MADV_DONTNEED = 4, MADV_FREE = 8, MADV_REMOVE = 9;

    /// <summary>The flags mmap has always accepted; MAP_SHARED_VALIDATE rejects anything else (EOPNOTSUPP). Bits 26..31 are MAP_HUGE_* sizes.</summary>
    const long LegacyMapMask = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE |
        MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK |
        MAP_HUGETLB | MAP_32BIT | (0x3fL << 26);

    const ulong PageMask = GuestAddressSpace.PageMask;

    /// <summary>mmap(addr, length, prot, flags, fd, offset).</summary>
    /// <remarks>
    /// MAP_POPULATE, MAP_NORESERVE, MAP_STACK, MAP_LOCKED and MAP_NONBLOCK are hints with no effect on what the guest
    /// sees; MAP_HUGETLB falls back to normal pages (the guest sees the same memory, only the TLB reach differs).
    /// </remarks>
    public static long Mmap(in SyscallContext c)
    {
        ulong addr = c.A0, length = c.A1, offset = c.A5;
        long prot = (long)c.A2, flags = (long)c.A3;
        int fd = (int)c.A4;
        if ((offset & PageMask) != 0) return -Errno.EINVAL;
        if (length == 0) return -Errno.EINVAL;
        if ((flags & MAP_ANONYMOUS) == 0 && UserEmu.Host.EmulatorFds.IsEmulator(fd)) return -Errno.EBADF;
        switch (flags & MAP_TYPE)
        {
            case MAP_SHARED:
            case MAP_PRIVATE:
                break;
            case MAP_SHARED_VALIDATE:
                if ((flags & ~LegacyMapMask) != 0 || (flags & MAP_SYNC) != 0) return -Errno.EOPNOTSUPP;
                break;
            default:
                return -Errno.EINVAL; // including MAP_DROPPABLE, which the address space cannot provide
        }
        bool noReplace = (flags & MAP_FIXED_NOREPLACE) != 0;
        bool fixedMap = (flags & MAP_FIXED) != 0 || noReplace;
        if (fixedMap && (addr & PageMask) != 0) return -Errno.EINVAL;
        ulong len = GuestAddressSpace.PageAlignUp(length);
        if (len == 0) return -Errno.ENOMEM;
        if ((offset >> GuestAddressSpace.PageShift) + (len >> GuestAddressSpace.PageShift) < (offset >> GuestAddressSpace.PageShift))
            return -Errno.EOVERFLOW;

        bool anonymous = (flags & MAP_ANONYMOUS) != 0;
        string? name = null;
        ulong dev = 0, ino = 0;
        long size = -1;
        if (!anonymous && !DescribeFile(fd, out name, out dev, out ino, out size)) return -Errno.EBADF;

        if (!fixedMap && (flags & MAP_32BIT) != 0)
        {
            // x86-64 MAP_32BIT: the kernel places the mapping in [1 GiB, 2 GiB) so its address fits 31 bits.
            addr = FindGap(c.Mem, len, 0x40000000, 0x80000000);
            if (addr == 0) return -Errno.ENOMEM;
            noReplace = true;
        }
        bool hadCode = fixedMap && !noReplace && HasCode(c.Mem, addr, len);
        var req = new MapRequest(addr, len, (PageFlags)(prot & 7), Shared: (flags & MAP_TYPE) != MAP_PRIVATE,
            Fixed: fixedMap && !noReplace, NoReplace: noReplace, HostFd: anonymous ? -1 : fd,
            Offset: anonymous ? 0 : offset, Name: name, Device: dev, Inode: ino, GrowsDown: (flags & MAP_GROWSDOWN) != 0,
            FileSize: size);
        long r = c.Mem.Map(req);
        if (r >= 0 && hadCode) c.Process.Code.InvalidateRange((ulong)r, (ulong)r + len);
        return r;
    }

    /// <summary>
    /// The /proc/self/maps identity of a mapped file: its path, device and inode, and its size if it is a regular file
    /// (else -1; pages past it raise SIGBUS). False if fd is not open.
    /// </summary>
    static bool DescribeFile(int fd, out string? name, out ulong dev, out ulong ino, out long size)
    {
        const uint S_IFMT = 0xF000, S_IFREG = 0x8000;
        name = null;
        dev = ino = 0;
        size = -1;
        byte* st = stackalloc byte[FsMetadataSyscalls.StatSize];
        if (fd < 0 || Sys.Call(HostNr.Fstat, fd, (long)st) != 0) return false;
        dev = *(ulong*)st;
        ino = *(ulong*)(st + 8);
        // struct stat (x86-64): st_mode at 24, st_size at 48.
        if ((*(uint*)(st + 24) & S_IFMT) == S_IFREG) size = *(long*)(st + 48);
        try
        {
            name = new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
        }
        catch (IOException)
        {
            name = null;
        }
        return true;
    }

    /// <summary>The highest free, page-aligned range of <paramref name="len"/> bytes within [lo, hi), or 0.</summary>
    static ulong FindGap(GuestAddressSpace mem, ulong len, ulong lo, ulong hi)
    {
        ulong top = hi;
        var maps = mem.Mappings();
        for (int i = maps.Length - 1; i >= -1; i--)
        {
            ulong floor = i >= 0 ? Math.Max(maps[i].End, lo) : lo;
            if (i >= 0 && maps[i].Start >= top) continue;
            if (top >= floor + len) return top - len;
            if (i < 0 || maps[i].Start <= lo) return 0;
            top = maps[i].Start;
        }
        return 0;
    }

    /// <summary>Whether any page of the range holds translated code (checked before an operation clears the marks).</summary>
    internal static bool HasCode(GuestAddressSpace mem, ulong addr, ulong len)
    {
        ulong first = addr >> GuestAddressSpace.PageShift, end = Math.Min((addr + len + PageMask) >> GuestAddressSpace.PageShift, mem.PageCount);
        const ulong CodeBits = 0x0101010101010101UL * (byte)PageFlags.HasCode;
        ulong p = first;
        // Eight page bytes at a time: a munmap of a large reservation scans a long stretch of the table.
        for (; p + 8 <= end; p += 8)
            if ((*(ulong*)(mem.Pages + p) & CodeBits) != 0) return true;
        for (; p < end; p++)
            if ((mem.Pages[p] & (byte)PageFlags.HasCode) != 0) return true;
        return false;
    }

    public static long Munmap(in SyscallContext c)
    {
        ulong addr = c.A0, len = c.A1;
        bool hadCode = len != 0 && (addr & PageMask) == 0 && HasCode(c.Mem, addr, Math.Min(len, c.Mem.Limit));
        int r = c.Mem.Unmap(addr, len);
        if (r == 0 && hadCode) c.Process.Code.InvalidateRange(addr, addr + GuestAddressSpace.PageAlignUp(len));
        return r;
    }

    public static long Mprotect(in SyscallContext c)
    {
        ulong addr = c.A0, len = c.A1;
        long prot = (long)c.A2;
        long grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
        prot &= ~(long)(PROT_GROWSDOWN | PROT_GROWSUP);
        if (grows == (PROT_GROWSDOWN | PROT_GROWSUP)) return -Errno.EINVAL;
        if ((addr & PageMask) != 0) return -Errno.EINVAL;
        if (len == 0) return 0;
        ulong end = addr + GuestAddressSpace.PageAlignUp(len);
        if (end <= addr) return -Errno.ENOMEM;
        if ((prot & ~(long)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) != 0) return -Errno.EINVAL;
        var newProt = (PageFlags)(prot & 7);
        bool dropCode = ((newProt & PageFlags.Exec) == 0 || (newProt & PageFlags.Write) != 0) && HasCode(c.Mem, addr, end - addr);
        int r = c.Mem.Protect(addr, len, newProt);
        if (r == 0 && dropCode) c.Process.Code.InvalidateRange(addr, end);
        return r;
    }

    /// <summary>mremap(old_address, old_size, new_size, flags, new_address).</summary>
    /// <remarks>MREMAP_DONTUNMAP (keep the old range mapped, empty) is not provided by the address space: -EINVAL.</remarks>
    public static long Mremap(in SyscallContext c)
    {
        ulong oldAddr = c.A0, oldLen = c.A1, newLen = c.A2, newAddr = c.A4;
        long flags = (long)c.A3;
        if ((flags & ~(long)(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP)) != 0) return -Errno.EINVAL;
        if ((flags & MREMAP_FIXED) != 0 && (flags & MREMAP_MAYMOVE) == 0) return -Errno.EINVAL;
        if ((oldAddr & PageMask) != 0) return -Errno.EINVAL;
        if ((flags & MREMAP_DONTUNMAP) != 0) return -Errno.EINVAL;
        if (GuestAddressSpace.PageAlignUp(newLen) == 0) return -Errno.EINVAL;
        bool hadCode = HasCode(c.Mem, oldAddr, Math.Min(oldLen, c.Mem.Limit));
        long r = c.Mem.Remap(oldAddr, oldLen, newLen, (flags & MREMAP_MAYMOVE) != 0, (flags & MREMAP_FIXED) != 0, newAddr);
        if (r >= 0 && hadCode) c.Process.Code.InvalidateRange(oldAddr, oldAddr + GuestAddressSpace.PageAlignUp(oldLen));
        return r;
    }

    public static long Brk(in SyscallContext c) => (long)c.Mem.Brk(c.A0);

    /// <summary>madvise: validated, then applied to the host pages backing the guest range (MADV_DONTNEED zeroes them, as native).</summary>
    public static long Madvise(in SyscallContext c)
    {
        ulong start = c.A0;
        if ((start & PageMask) != 0) return -Errno.EINVAL;
        ulong len = GuestAddressSpace.PageAlignUp(c.A1);
        if (c.A1 != 0 && len == 0) return -Errno.EINVAL;
        if (start + len < start) return -Errno.EINVAL;
        if (len == 0) return 0;
        if (!AllMapped(c.Mem, start, len)) return -Errno.ENOMEM;
        bool dropsContents = c.A2 is MADV_DONTNEED or MADV_FREE or MADV_REMOVE;
        bool hadCode = dropsContents && HasCode(c.Mem, start, len);
        long r = Sys.Call(HostNr.Madvise, (long)c.Mem.Host(start), (long)len, (long)c.A2);
        if (r == 0 && hadCode) c.Process.Code.InvalidateRange(start, start + len);
        return r;
    }

    public static long Msync(in SyscallContext c)
    {
        ulong start = c.A0;
        long flags = (long)c.A2;
        if ((flags & ~(long)(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) != 0) return -Errno.EINVAL;
        if ((flags & MS_ASYNC) != 0 && (flags & MS_SYNC) != 0) return -Errno.EINVAL;
        if ((start & PageMask) != 0) return -Errno.EINVAL;
        ulong len = GuestAddressSpace.PageAlignUp(c.A1);
        if (start + len < start) return -Errno.ENOMEM;
        if (len == 0) return 0;
        if (!AllMapped(c.Mem, start, len)) return -Errno.ENOMEM;
        return Sys.Call(HostNr.Msync, (long)c.Mem.Host(start), (long)len, flags);
    }

    /// <summary>mincore(addr, length, vec): one residency byte per page, from the host pages backing the range.</summary>
    public static long Mincore(in SyscallContext c)
    {
        ulong start = c.A0;
        if ((start & PageMask) != 0) return -Errno.EINVAL;
        ulong len = GuestAddressSpace.PageAlignUp(c.A1);
        if (start + len < start || !AllMapped(c.Mem, start, len)) return -Errno.ENOMEM;
        if (len == 0) return 0;
        byte* vec = c.Out(c.A2, len >> GuestAddressSpace.PageShift);
        return Sys.Call(HostNr.Mincore, (long)c.Mem.Host(start), (long)len, (long)vec);
    }

    public static long Mlock(in SyscallContext c) => Lock(c, HostNr.Mlock, 0, false);

    public static long Munlock(in SyscallContext c) => Lock(c, HostNr.Munlock, 0, false);

    public static long Mlock2(in SyscallContext c) => Lock(c, HostNr.Mlock2, (long)c.A2, true);

    // mlock rounds the start down and the end up to pages; a hole in the range is ENOMEM.
    static long Lock(in SyscallContext c, int hostNr, long flags, bool withFlags)
    {
        ulong start = c.A0 & ~PageMask;
        ulong end = GuestAddressSpace.PageAlignUp(c.A0 + c.A1);
        if (end < start) return -Errno.EINVAL;
        if (end == start) return 0;
        if (!AllMapped(c.Mem, start, end - start)) return -Errno.ENOMEM;
        return withFlags
            ? Sys.Call(hostNr, (long)c.Mem.Host(start), (long)(end - start), flags)
            : Sys.Call(hostNr, (long)c.Mem.Host(start), (long)(end - start));
    }

    /// <summary>Whether every page of the range belongs to a guest mapping (the host reservation around them is not the guest's).</summary>
    static bool AllMapped(GuestAddressSpace mem, ulong start, ulong len)
    {
        ulong first = start >> GuestAddressSpace.PageShift, end = (start + len) >> GuestAddressSpace.PageShift;
        if (end > mem.PageCount) return false;
        for (ulong p = first; p < end; p++)
            if ((mem.Pages[p] & (byte)PageFlags.Mapped) == 0) return false;
        return true;
    }
}
