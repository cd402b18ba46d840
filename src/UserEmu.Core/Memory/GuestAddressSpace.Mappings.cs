using UserEmu.Host;

namespace UserEmu.Memory;

/// <summary>Linux errno values the address space reports (negated by the syscall layer).</summary>
public static class MemErrno
{
    public const int EPERM = 1, EBADF = 9, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EEXIST = 17, ENODEV = 19, EINVAL = 22;
}

/// <summary>What backs a new guest mapping.</summary>
public readonly record struct MapRequest(
    ulong Address, ulong Length, PageFlags Prot, bool Shared, bool Fixed, bool NoReplace,
    int HostFd = -1, ulong Offset = 0, string? Name = null, ulong Device = 0, ulong Inode = 0, bool GrowsDown = false,
    long FileSize = -1);

public sealed unsafe partial class GuestAddressSpace
{
    static int HostProt(PageFlags prot)
    {
        // Guest code is read by the translator through the host mapping, so exec implies host read.
        int p = 0;
        if ((prot & (PageFlags.Read | PageFlags.Exec)) != 0) p |= LibC.PROT_READ;
        if ((prot & PageFlags.Write) != 0) p |= LibC.PROT_WRITE | LibC.PROT_READ;
        return p;
    }

    /// <summary>All mappings in address order (a snapshot, for /proc/self/maps and tests).</summary>
    public GuestMapping[] Mappings()
    {
        lock (_lock) return _maps.Select(m => m.Clone()).ToArray();
    }

    /// <summary>The mapping that contains <paramref name="addr"/>, if any.</summary>
    public GuestMapping? FindMapping(ulong addr)
    {
        lock (_lock)
        {
            int i = IndexAtOrAfter(addr);
            return i < _maps.Count && _maps[i].Start <= addr ? _maps[i].Clone() : null;
        }
    }

    /// <summary>True if <paramref name="addr"/> lies in a MAP_SHARED mapping (host memory other processes may share).</summary>
    public bool IsSharedAt(ulong addr)
    {
        lock (_lock)
        {
            int i = IndexAtOrAfter(addr);
            return i < _maps.Count && _maps[i].Start <= addr && _maps[i].Shared;
        }
    }

    // First mapping whose End > addr.
    int IndexAtOrAfter(ulong addr)
    {
        int lo = 0, hi = _maps.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (_maps[mid].End <= addr) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    bool RangeFree(ulong start, ulong end)
    {
        int i = IndexAtOrAfter(start);
        return i >= _maps.Count || _maps[i].Start >= end;
    }

    /// <summary>Finds a free range of <paramref name="length"/> bytes, top-down below <paramref name="below"/> as Linux does.</summary>
    ulong FindFree(ulong length, ulong below)
    {
        ulong top = Math.Min(below, MmapBase) & ~PageMask;
        int i = IndexAtOrAfter(top);
        // A mapping that straddles the top (one grown upward by mremap past the mmap base) caps the search too.
        if (i < _maps.Count && _maps[i].Start < top) top = _maps[i].Start;
        i--;
        while (true)
        {
            ulong floor = i >= 0 ? _maps[i].End : PageSize * 16;
            if (i >= 0 && _maps[i].End > top) { top = Math.Min(top, _maps[i].Start); i--; continue; }
            if (top >= floor + length) return top - length;
            if (i < 0) return 0;
            top = _maps[i].Start;
            i--;
        }
    }

    /// <summary>mmap: returns the guest address, or a negative errno.</summary>
    public long Map(in MapRequest req)
    {
        ulong len = PageAlignUp(req.Length);
        if (req.Length == 0 || len == 0) return -MemErrno.EINVAL;
        if ((req.Address & PageMask) != 0 && (req.Fixed || req.NoReplace)) return -MemErrno.EINVAL;
        lock (_lock)
        {
            ulong addr;
            if (req.Fixed || req.NoReplace)
            {
                addr = req.Address;
                if (addr + len < addr || addr + len > Limit) return -MemErrno.ENOMEM;
                if (req.NoReplace && !RangeFree(addr, addr + len)) return -MemErrno.EEXIST;
            }
            else
            {
                addr = 0;
                ulong hint = PageAlignDown(req.Address);
                if (hint != 0 && hint + len <= Limit && hint + len > hint && RangeFree(hint, hint + len)) addr = hint;
                if (addr == 0) addr = FindFree(len, MmapBase);
                if (addr == 0) return -MemErrno.ENOMEM;
            }

            int flags = LibC.MAP_FIXED | (req.Shared ? LibC.MAP_SHARED : LibC.MAP_PRIVATE);
            if (req.HostFd < 0) flags |= LibC.MAP_ANONYMOUS;
            nint r = LibC.mmap((nint)(HostBase + addr), (nuint)len, HostProt(req.Prot), flags, req.HostFd, (long)req.Offset);
            if (r == LibC.MAP_FAILED) return -LibC.Errno;

            RemoveRange(addr, addr + len);
            var m = new GuestMapping
            {
                Start = addr, End = addr + len, Prot = req.Prot & (PageFlags.Read | PageFlags.Write | PageFlags.Exec),
                Shared = req.Shared, Name = req.Name, FileOffset = req.Offset, Device = req.Device, Inode = req.Inode,
                FileSize = req.HostFd >= 0 ? req.FileSize : -1,
            };
            Insert(m);
            SetPages(addr, len, m.Prot | PageFlags.Mapped);
            MarkPastEof(m);
            return (long)addr;
        }
    }

    /// <summary>munmap: returns 0 or a negative errno.</summary>
    public int Unmap(ulong addr, ulong length)
    {
        if ((addr & PageMask) != 0 || length == 0) return -MemErrno.EINVAL;
        ulong len = PageAlignUp(length);
        if (addr + len > Limit || addr + len < addr) return -MemErrno.EINVAL;
        lock (_lock)
        {
            Reserve(addr, len);
            RemoveRange(addr, addr + len);
            SetPages(addr, len, PageFlags.None);
            return 0;
        }
    }

    /// <summary>mprotect: returns 0 or a negative errno (ENOMEM if part of the range is unmapped).</summary>
    public int Protect(ulong addr, ulong length, PageFlags prot)
    {
        if ((addr & PageMask) != 0) return -MemErrno.EINVAL;
        ulong len = PageAlignUp(length);
        if (len == 0) return 0;
        ulong end = addr + len;
        if (end > Limit || end < addr) return -MemErrno.ENOMEM;
        lock (_lock)
        {
            // Every page of the range must be mapped.
            ulong at = addr;
            for (int i = IndexAtOrAfter(addr); i < _maps.Count && at < end; i++)
            {
                if (_maps[i].Start > at) return -MemErrno.ENOMEM;
                at = _maps[i].End;
            }
            if (at < end) return -MemErrno.ENOMEM;
            if (LibC.mprotect((nint)(HostBase + addr), (nuint)len, HostProt(prot)) != 0) return -LibC.Errno;
            prot &= PageFlags.Read | PageFlags.Write | PageFlags.Exec;
            SplitAt(addr);
            SplitAt(end);
            for (int i = IndexAtOrAfter(addr); i < _maps.Count && _maps[i].Start < end; i++) _maps[i].Prot = prot;
            MappingChanges++;
            for (ulong p = addr >> PageShift; p < end >> PageShift; p++)
            {
                var keep = (PageFlags)Pages[p] & (PageFlags.HasCode | PageFlags.PastEof);
                Pages[p] = (byte)(((keep & PageFlags.PastEof) != 0 ? 0 : Effective(prot)) | PageFlags.Mapped | keep);
            }
            if ((prot & PageFlags.Exec) == 0 || (prot & PageFlags.Write) != 0)
                for (ulong p = addr; p < end; p += PageSize)
                    if ((FlagsAt(p) & PageFlags.HasCode) != 0) InvalidateCodePage(p, codeReadable: false);
            MergeNeighbours(addr, end);
            return 0;
        }
    }

    /// <summary>mremap: returns the new guest address or a negative errno.</summary>
    public long Remap(ulong oldAddr, ulong oldLength, ulong newLength, bool mayMove, bool fixedTarget, ulong newAddr)
    {
        if ((oldAddr & PageMask) != 0) return -MemErrno.EINVAL;
        ulong oldLen = PageAlignUp(oldLength), newLen = PageAlignUp(newLength);
        if (newLen == 0) return -MemErrno.EINVAL;
        lock (_lock)
        {
            int idx = IndexAtOrAfter(oldAddr);
            if (idx >= _maps.Count || _maps[idx].Start > oldAddr) return -MemErrno.EFAULT;
            var src = _maps[idx];
            if (oldLen == 0) return -MemErrno.EINVAL; // duplicating shared mappings is not supported
            if (oldAddr + oldLen > src.End) return -MemErrno.EFAULT;

            if (!fixedTarget)
            {
                if (newLen <= oldLen)
                {
                    if (newLen < oldLen)
                    {
                        Reserve(oldAddr + newLen, oldLen - newLen);
                        RemoveRange(oldAddr + newLen, oldAddr + oldLen);
                        SetPages(oldAddr + newLen, oldLen - newLen, PageFlags.None);
                    }
                    return (long)oldAddr;
                }
                // Grow in place when the pages after are free.
                ulong growEnd = oldAddr + newLen;
                if (growEnd <= Limit && RangeFree(oldAddr + oldLen, growEnd))
                {
                    // The pages after the mapping belong to our PROT_NONE reservation: release them so the host can grow into them.
                    bool code = AnyCodePage(oldAddr, oldLen);
                    LibC.munmap((nint)(HostBase + oldAddr + oldLen), (nuint)(newLen - oldLen));
                    long r = LibC.syscall(25 /* mremap */, (long)(HostBase + oldAddr), (long)oldLen, (long)newLen, 0, 0, 0);
                    if (r == -1) Reserve(oldAddr + oldLen, newLen - oldLen);
                    if (r != -1)
                    {
                        var ext = src.Slice(oldAddr, oldAddr + oldLen);
                        ext.FileOffset = src.FileOffset + (oldAddr - src.Start);
                        RemoveRange(oldAddr, oldAddr + oldLen);
                        ext.End = growEnd;
                        Insert(ext);
                        SetPages(oldAddr, newLen, ext.Prot | PageFlags.Mapped);
                        if (code) RestoreHostProt(oldAddr, newLen, ext.Prot);
                        MarkPastEof(ext);
                        return (long)oldAddr;
                    }
                }
                if (!mayMove) return -MemErrno.ENOMEM;
                newAddr = FindFree(newLen, MmapBase);
                if (newAddr == 0) return -MemErrno.ENOMEM;
            }
            else
            {
                if ((newAddr & PageMask) != 0 || newAddr + newLen > Limit) return -MemErrno.EINVAL;
                if (newAddr < oldAddr + oldLen && oldAddr < newAddr + newLen) return -MemErrno.EINVAL;
            }

            const int MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2;
            bool movesCode = AnyCodePage(oldAddr, oldLen);
            long rr = LibC.syscall(25, (long)(HostBase + oldAddr), (long)oldLen, (long)newLen, MREMAP_MAYMOVE | MREMAP_FIXED, (long)(HostBase + newAddr), 0);
            if (rr == -1) return -LibC.Errno;
            var moved = src.Slice(oldAddr, oldAddr + oldLen);
            RemoveRange(newAddr, newAddr + newLen);
            RemoveRange(oldAddr, oldAddr + oldLen);
            SetPages(oldAddr, oldLen, PageFlags.None);
            Reserve(oldAddr, oldLen); // the host hole must go back into our reservation
            moved.Start = newAddr;
            moved.End = newAddr + newLen;
            Insert(moved);
            SetPages(newAddr, newLen, moved.Prot | PageFlags.Mapped);
            if (movesCode) RestoreHostProt(newAddr, newLen, moved.Prot);
            MarkPastEof(moved);
            return (long)newAddr;
        }
    }

    /// <summary>Sets where the program break starts (just past the executable's bss).</summary>
    public void InitBrk(ulong start)
    {
        BrkStart = BrkCurrent = PageAlignUp(start);
    }

    /// <summary>brk: returns the new (or unchanged) break, as the kernel does.</summary>
    public ulong Brk(ulong requested)
    {
        lock (_lock)
        {
            if (requested < BrkStart) return BrkCurrent;
            ulong oldTop = PageAlignUp(BrkCurrent), newTop = PageAlignUp(requested);
            if (newTop > oldTop)
            {
                if (newTop > Limit || !RangeFree(oldTop, newTop)) return BrkCurrent;
                long r = Map(new MapRequest(oldTop, newTop - oldTop, PageFlags.Read | PageFlags.Write, false, true, false, Name: "[heap]"));
                if (r < 0) return BrkCurrent;
                MergeHeap();
            }
            else if (newTop < oldTop)
            {
                Unmap(newTop, oldTop - newTop);
            }
            BrkCurrent = requested;
            return BrkCurrent;
        }
    }

    void MergeHeap()
    {
        for (int i = 0; i + 1 < _maps.Count; i++)
        {
            var a = _maps[i];
            var b = _maps[i + 1];
            if (a.Name == "[heap]" && b.Name == "[heap]" && a.End == b.Start && a.Prot == b.Prot)
            {
                a.End = b.End;
                _maps.RemoveAt(i + 1);
                i--;
            }
        }
    }

    /// <summary>
    /// Joins the mappings touching [start, end) with neighbours that now have the same attributes, as the kernel merges
    /// VMAs: an mprotect that restores a protection leaves one mapping again, which mremap needs.
    /// </summary>
    void MergeNeighbours(ulong start, ulong end)
    {
        int i = Math.Max(0, IndexAtOrAfter(start) - 1);
        while (i + 1 < _maps.Count && _maps[i].Start <= end)
        {
            var a = _maps[i];
            var b = _maps[i + 1];
            bool sameFile = (a.Inode == 0 && a.ShmSegmentSize == 0) || b.FileOffset == a.FileOffset + a.Length;
            if (a.End == b.Start && a.Prot == b.Prot && a.Shared == b.Shared && a.Name == b.Name && a.Device == b.Device &&
                a.Inode == b.Inode && a.ShmSegmentSize == b.ShmSegmentSize && sameFile)
            {
                a.End = b.End;
                _maps.RemoveAt(i + 1);
            }
            else
            {
                i++;
            }
        }
    }

    // ---- bookkeeping ------------------------------------------------------------------------

    void Reserve(ulong addr, ulong len)
    {
        LibC.mmap((nint)(HostBase + addr), (nuint)len, LibC.PROT_NONE,
            LibC.MAP_FIXED | LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
    }

    /// <summary>Page-table bits for guest permissions: on x86-64 (no protection keys) write or exec access implies read.</summary>
    static PageFlags Effective(PageFlags prot) =>
        (prot & (PageFlags.Write | PageFlags.Exec)) != 0 ? prot | PageFlags.Read : prot;

    // Pages of code the host kept read-only through a move (mremap) get the guest's protection back.
    void RestoreHostProt(ulong addr, ulong len, PageFlags prot) => LibC.mprotect((nint)(HostBase + addr), (nuint)len, HostProt(prot));

    /// <summary>
    /// Bumped whenever pages are mapped, unmapped or change protection (under the mappings' lock): what was read from
    /// a page not writable is still there while this stays the same (the code cache keeps page hashes by it).
    /// </summary>
    public volatile int MappingChanges;

    void SetPages(ulong addr, ulong len, PageFlags flags)
    {
        MappingChanges++;
        flags = Effective(flags);
        for (ulong p = addr >> PageShift, e = (addr + len) >> PageShift; p < e; p++)
        {
            if ((Pages[p] & (byte)PageFlags.HasCode) != 0) CodePageWritten?.Invoke(p << PageShift, false);
            Pages[p] = (byte)flags;
        }
    }

    /// <summary>Marks the pages of file mapping <paramref name="m"/> that lie wholly past the file's end (see <see cref="PageFlags.PastEof"/>).</summary>
    void MarkPastEof(GuestMapping m)
    {
        if (m.FileSize < 0) return;
        ulong backed = PageAlignUp((ulong)m.FileSize);
        ulong first = m.Start + (backed > m.FileOffset ? backed - m.FileOffset : 0);
        for (ulong p = first >> PageShift; p < m.End >> PageShift; p++)
            Pages[p] = (byte)(PageFlags.Mapped | PageFlags.PastEof | ((PageFlags)Pages[p] & PageFlags.HasCode));
    }

    /// <summary>
    /// Whether the page past its file's end at <paramref name="addr"/> still is (an access there raises SIGBUS); if the
    /// file has grown since, the page gets its mapping's access bits back.
    /// </summary>
    bool StillPastEof(ulong addr)
    {
        ulong page = PageAlignDown(addr);
        if (LibC.IsReadable(HostBase + page))
        {
            lock (_lock)
            {
                int i = IndexAtOrAfter(page);
                if (i < _maps.Count && _maps[i].Start <= page)
                    Pages[page >> PageShift] = (byte)(Effective(_maps[i].Prot) | PageFlags.Mapped | ((PageFlags)Pages[page >> PageShift] & PageFlags.HasCode));
                    MappingChanges++;
            }
            return false;
        }
        return true;
    }

    /// <summary>The guest permissions of the mapping holding <paramref name="addr"/> (None if unmapped).</summary>
    PageFlags ProtAt(ulong addr)
    {
        lock (_lock)
        {
            int i = IndexAtOrAfter(PageAlignDown(addr));
            return i < _maps.Count && _maps[i].Start <= addr ? Effective(_maps[i].Prot) : PageFlags.None;
        }
    }

    void SplitAt(ulong addr)
    {
        int i = IndexAtOrAfter(addr);
        if (i >= _maps.Count) return;
        var m = _maps[i];
        if (m.Start >= addr) return;
        var right = m.Slice(addr, m.End);
        m.End = addr;
        _maps.Insert(i + 1, right);
    }

    void RemoveRange(ulong start, ulong end)
    {
        SplitAt(start);
        SplitAt(end);
        int i = IndexAtOrAfter(start);
        while (i < _maps.Count && _maps[i].Start < end) _maps.RemoveAt(i);
    }

    void Insert(GuestMapping m)
    {
        int i = IndexAtOrAfter(m.Start);
        _maps.Insert(i, m);
    }
}
