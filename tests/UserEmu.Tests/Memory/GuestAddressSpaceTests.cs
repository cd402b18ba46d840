using UserEmu.Memory;
using Xunit;

namespace UserEmu.Tests.Memory;

/// <summary>Mapping semantics and permission checks of the guest address space.</summary>
public sealed class GuestAddressSpaceTests : IDisposable
{
    const PageFlags RW = PageFlags.Read | PageFlags.Write;
    readonly GuestAddressSpace _mem = new(40);

    public void Dispose() => _mem.Dispose();

    long Map(ulong addr, ulong len, PageFlags prot, bool fix = true, bool noReplace = false) =>
        _mem.Map(new MapRequest(addr, len, prot, Shared: false, Fixed: fix, NoReplace: noReplace));

    [Fact]
    public void AnonymousMappingIsZeroedReadableWritable()
    {
        Assert.Equal(0x10000, Map(0x10000, 8192, RW));
        Assert.Equal(0UL, _mem.Read64(0x10000));
        _mem.Write64(0x11ff8, 0x1122334455667788);
        Assert.Equal(0x1122334455667788UL, _mem.Read64(0x11ff8));
    }

    [Fact]
    public unsafe void TheReservationHasAnInaccessibleGuardBelowAndAbove()
    {
        // Native code checks one address of a span of accesses; the rest may run a guard's size past either end.
        Map(0x10000, 4096, RW);
        ulong below = (ulong)_mem.HostBase - GuestAddressSpace.GuardBytes, above = (ulong)_mem.HostBase + _mem.Limit;
        bool guardsInaccessible = false;
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var range = line.Split(' ')[0].Split('-');
            ulong start = Convert.ToUInt64(range[0], 16), end = Convert.ToUInt64(range[1], 16);
            if (start <= below && below < end) guardsInaccessible = line.Split(' ')[1] == "---p" && below + GuestAddressSpace.GuardBytes <= end;
            if (start <= above && above < end) guardsInaccessible &= line.Split(' ')[1] == "---p" && above + GuestAddressSpace.GuardBytes <= end;
        }
        Assert.True(guardsInaccessible);
    }

    [Fact]
    public void UnmappedAccessIsMapErrWithAddress()
    {
        var ex = Assert.Throws<GuestFaultException>(() => _mem.Read32(0x12345));
        Assert.Equal(FaultKind.Unmapped, ex.Kind);
        Assert.Equal(0x12345UL, ex.Address);
    }

    [Fact]
    public void ProtectedAccessIsAccErr()
    {
        Map(0x20000, 4096, PageFlags.Read);
        var ex = Assert.Throws<GuestFaultException>(() => _mem.Write8(0x20010, 1));
        Assert.Equal(FaultKind.Protection, ex.Kind);
        Assert.True(ex.IsWrite);
        Map(0x30000, 4096, PageFlags.None);
        Assert.Equal(FaultKind.Protection, Assert.Throws<GuestFaultException>(() => _mem.Read8(0x30000)).Kind);
    }

    [Fact]
    public void AccessCrossingIntoUnmappedPageFaultsAtThePageBoundary()
    {
        Map(0x40000, 4096, RW);
        var ex = Assert.Throws<GuestFaultException>(() => _mem.Read64(0x40ffc));
        Assert.Equal(0x41000UL, ex.Address);
    }

    [Fact]
    public void AddressesBeyondTheGuestSpaceFaultInsteadOfTouchingHostMemory()
    {
        Assert.Throws<GuestFaultException>(() => _mem.Read8(_mem.Limit + 5));
        Assert.Throws<GuestFaultException>(() => _mem.Read64(ulong.MaxValue - 3));
    }

    [Fact]
    public void ExecOrWriteImpliesReadAsOnX86()
    {
        Map(0x50000, 4096, PageFlags.Exec);
        Assert.Equal(0, _mem.Read8(0x50000));
    }

    [Fact]
    public void FixedNoReplaceRefusesOccupiedRange()
    {
        Map(0x60000, 8192, RW);
        Assert.Equal(-MemErrno.EEXIST, Map(0x61000, 4096, RW, fix: false, noReplace: true));
        Assert.Equal(0x63000, Map(0x63000, 4096, RW, fix: false, noReplace: true));
    }

    [Fact]
    public void MappingGrownPastTheMmapBaseIsNotHandedOutAgain()
    {
        // busybox sort grows its buffer with mremap from the topmost mapping upward, across the mmap base.
        long a = Map(0, 4 * 4096, RW, fix: false);
        Assert.Equal(a, _mem.Remap((ulong)a, 4 * 4096, 64 * 4096, mayMove: true, fixedTarget: false, 0));
        Assert.True((ulong)a + 64 * 4096 > _mem.MmapBase);
        long b = Map(0, 40 * 4096, RW, fix: false);
        Assert.True(b + 40 * 4096 <= a, $"new mapping 0x{b:x} overlaps the grown one at 0x{a:x}");
    }

    [Fact]
    public void MprotectBackToTheSameProtectionLeavesOneMappingForMremap()
    {
        long a = Map(0, 4 * 4096, RW, fix: false);
        Assert.Equal(0, _mem.Protect((ulong)a + 4096, 4096, PageFlags.Read));
        Assert.Equal(0, _mem.Protect((ulong)a + 4096, 4096, RW));
        Assert.Single(_mem.Mappings(), m => m.Start <= (ulong)a && (ulong)a < m.End);
        Assert.True(_mem.Remap((ulong)a, 4 * 4096, 8 * 4096, mayMove: true, fixedTarget: false, 0) > 0);
    }

    [Fact]
    public void NonFixedMappingsGoTopDownBelowMmapBase()
    {
        long a = Map(0, 4096, RW, fix: false);
        long b = Map(0, 4096, RW, fix: false);
        Assert.True(a > 0 && (ulong)a < _mem.MmapBase);
        Assert.Equal(a - 4096, b);
    }

    [Fact]
    public void MisalignedFixedAddressAndZeroLengthAreEinval()
    {
        Assert.Equal(-MemErrno.EINVAL, Map(0x70001, 4096, RW));
        Assert.Equal(-MemErrno.EINVAL, Map(0x70000, 0, RW));
    }

    [Fact]
    public void MunmapSplitsMappingsAndFaultsAfterwards()
    {
        Map(0x80000, 3 * 4096, RW);
        Assert.Equal(0, _mem.Unmap(0x81000, 4096));
        var maps = _mem.Mappings().Where(m => m.Start >= 0x80000 && m.End <= 0x83000).ToArray();
        Assert.Equal(2, maps.Length);
        Assert.Throws<GuestFaultException>(() => _mem.Read8(0x81000));
        Assert.Equal(0, _mem.Read8(0x82000));
    }

    [Fact]
    public void MprotectChangesPermissionsAndRejectsHoles()
    {
        Map(0x90000, 2 * 4096, RW);
        Assert.Equal(0, _mem.Protect(0x90000, 4096, PageFlags.Read));
        Assert.Throws<GuestFaultException>(() => _mem.Write8(0x90000, 1));
        _mem.Write8(0x91000, 1);
        Assert.Equal(-MemErrno.ENOMEM, _mem.Protect(0x91000, 2 * 4096, PageFlags.Read));
    }

    [Fact]
    public void MremapGrowsInPlaceOrMovesKeepingContents()
    {
        Map(0xa0000, 4096, RW);
        _mem.Write64(0xa0000, 42);
        Assert.Equal(0xa0000, _mem.Remap(0xa0000, 4096, 8192, mayMove: false, fixedTarget: false, 0));
        Assert.Equal(42UL, _mem.Read64(0xa0000));
        _mem.Write64(0xa1000, 7);
        Map(0xa2000, 4096, RW); // blocks growth in place
        Assert.Equal(-MemErrno.ENOMEM, _mem.Remap(0xa0000, 8192, 16384, mayMove: false, fixedTarget: false, 0));
        long moved = _mem.Remap(0xa0000, 8192, 16384, mayMove: true, fixedTarget: false, 0);
        Assert.True(moved > 0 && moved != 0xa0000);
        Assert.Equal(42UL, _mem.Read64((ulong)moved));
        Assert.Equal(7UL, _mem.Read64((ulong)moved + 4096));
        Assert.Throws<GuestFaultException>(() => _mem.Read8(0xa0000));
    }

    [Fact]
    public void MremapShrinkUnmapsTheTail()
    {
        Map(0xb0000, 3 * 4096, RW);
        Assert.Equal(0xb0000, _mem.Remap(0xb0000, 3 * 4096, 4096, mayMove: false, fixedTarget: false, 0));
        Assert.Throws<GuestFaultException>(() => _mem.Read8(0xb1000));
    }

    [Fact]
    public void BrkGrowsAndShrinksTheHeap()
    {
        _mem.InitBrk(0x1000000);
        Assert.Equal(0x1000000UL, _mem.Brk(0));
        Assert.Equal(0x1003000UL, _mem.Brk(0x1003000));
        _mem.Write8(0x1002fff, 1);
        Assert.Equal(0x1001000UL, _mem.Brk(0x1001000));
        Assert.Throws<GuestFaultException>(() => _mem.Read8(0x1002000));
        Assert.Single(_mem.Mappings(), m => m.Name == "[heap]");
    }

    [Fact]
    public void WriteToCodePageNotifiesOnce()
    {
        Map(0xc0000, 4096, RW | PageFlags.Exec);
        var hits = new List<ulong>();
        _mem.CodePageWritten = (page, _) => hits.Add(page);
        _mem.MarkCodePage(0xc0000);
        _mem.Write8(0xc0010, 0x90);
        _mem.Write8(0xc0011, 0x90);
        Assert.Equal([0xc0000UL], hits);
    }
}
