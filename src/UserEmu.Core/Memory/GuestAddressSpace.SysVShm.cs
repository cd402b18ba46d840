using UserEmu.Host;

namespace UserEmu.Memory;

/// <summary>A System V shared memory attach (shmat) for <see cref="GuestAddressSpace.AttachSysVShm"/>.</summary>
/// <param name="ShmId">The host segment id (guest ids are host ids).</param>
/// <param name="SegmentSize">The segment's size in bytes (shm_segsz).</param>
/// <param name="Address">Page-aligned guest address (used when <paramref name="Fixed"/>).</param>
/// <param name="Fixed">Attach at <paramref name="Address"/> (a non-NULL shmaddr); otherwise the address space chooses, as mmap does.</param>
/// <param name="Remap">SHM_REMAP: replace whatever is mapped at <paramref name="Address"/>.</param>
/// <param name="Prot">Guest permissions: Read, Read|Write, optionally Exec.</param>
public readonly record struct ShmAttach(int ShmId, ulong SegmentSize, ulong Address, bool Fixed, bool Remap, PageFlags Prot);

public sealed unsafe partial class GuestAddressSpace
{
    /// <summary>
    /// shmat: attaches the host segment at HostBase + the guest address (SHM_REMAP over our reservation), so the guest,
    /// forked children and other processes share the same pages. Returns the guest address or a negative errno.
    /// </summary>
    /// <remarks>The mapping is listed as the host kernel lists it (device, inode = shmid, "/SYSV%08x (deleted)").</remarks>
    public long AttachSysVShm(in ShmAttach req)
    {
        ulong len = PageAlignUp(req.SegmentSize);
        if (len == 0) return -MemErrno.EINVAL;
        lock (_lock)
        {
            ulong addr = req.Address;
            if (req.Fixed)
            {
                if (addr + len < addr) return -MemErrno.EINVAL;
                if (addr + len > Limit) return -MemErrno.ENOMEM;
                if (!req.Remap && !RangeFree(addr, addr + len)) return -MemErrno.EINVAL;
            }
            else
            {
                addr = FindFree(len, MmapBase);
                if (addr == 0) return -MemErrno.ENOMEM;
            }

            int flags = LibC.SHM_REMAP | ((req.Prot & PageFlags.Write) == 0 ? LibC.SHM_RDONLY : 0);
            nint host = (nint)(HostBase + addr);
            nint r = LibC.shmat(req.ShmId, host, flags);
            if (r == LibC.MAP_FAILED) return -LibC.Errno;
            if (r != host)
            {
                // Cannot happen with SHM_REMAP at a page-aligned address; never leave a host mapping outside the guest's view.
                LibC.shmdt(r);
                return -MemErrno.EINVAL;
            }
            bool described = HostMaps.Describe(host, out ulong device, out ulong inode, out string? name);

            RemoveRange(addr, addr + len);
            var m = new GuestMapping
            {
                Start = addr, End = addr + len, Prot = req.Prot & (PageFlags.Read | PageFlags.Write | PageFlags.Exec), Shared = true,
                Name = name, Device = device, Inode = described ? inode : (ulong)req.ShmId, ShmSegmentSize = req.SegmentSize,
            };
            Insert(m);
            SetPages(addr, len, m.Prot | PageFlags.Mapped);
            return (long)addr;
        }
    }

    /// <summary>
    /// shmdt: detaches the segment attached at <paramref name="addr"/>, all of it, including the pieces an mprotect or
    /// munmap split off (the kernel's rule: every piece of the same segment whose offset matches its distance from
    /// <paramref name="addr"/>, up to the segment's size). Returns 0 or a negative errno; <paramref name="end"/> is the
    /// end of the detached range (for dropping translated code).
    /// </summary>
    public int DetachSysVShm(ulong addr, out ulong end)
    {
        end = addr;
        if ((addr & PageMask) != 0) return -MemErrno.EINVAL;
        lock (_lock)
        {
            int i = IndexAtOrAfter(addr);
            while (i < _maps.Count && !IsPieceOf(_maps[i], addr, null)) i++;
            if (i >= _maps.Count) return -MemErrno.EINVAL;
            var first = _maps[i];
            if (LibC.shmdt((nint)(HostBase + addr)) != 0) return -LibC.Errno;

            ulong size = PageAlignUp(first.ShmSegmentSize);
            end = Drop(first);
            while (i < _maps.Count && _maps[i].End - addr <= size)
            {
                if (IsPieceOf(_maps[i], addr, first)) end = Drop(_maps[i]);
                else i++;
            }
            return 0;
        }
    }

    // Forgets a detached piece; the host detached it, so the hole goes back into our reservation.
    ulong Drop(GuestMapping m)
    {
        _maps.Remove(m);
        SetPages(m.Start, m.Length, PageFlags.None);
        Reserve(m.Start, m.Length);
        return m.End;
    }

    // A piece of a SysV segment attached at addr: its offset in the segment equals its distance from addr (ipc/shm.c).
    bool IsPieceOf(GuestMapping m, ulong addr, GuestMapping? segment) =>
        m.ShmSegmentSize != 0 && m.Start >= addr && ((m.Start - addr) >> PageShift) == (m.FileOffset >> PageShift) &&
        (segment == null || (m.Inode == segment.Inode && m.Device == segment.Device));
}
