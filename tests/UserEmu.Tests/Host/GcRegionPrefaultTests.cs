using UserEmu.Host;
using Xunit;

namespace UserEmu.Tests.Host;

/// <summary>The start-up prefault touches only anonymous private memory, as /proc/self/maps describes it.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class GcRegionPrefaultTests
{
    const int Page = 4096;

    [Fact]
    public void AcceptsAnonymousPrivateMemoryOfMixedProtection()
    {
        nint a = LibC.mmap(0, 4 * Page, LibC.PROT_NONE /* reserved */, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
        Assert.NotEqual(-1, (long)a);
        try
        {
            // Committed at the start, reserved after it: two mappings, no gap.
            Assert.Equal(0, LibC.mprotect(a, Page, LibC.PROT_READ | LibC.PROT_WRITE));
            Assert.True(GcRegionPrefault.AnonymousPrivate(GcRegionPrefault.ReadMaps(), a, a + 4 * Page));
        }
        finally
        {
            LibC.munmap(a, 4 * Page);
        }
    }

    [Fact]
    public void RejectsFilesAndGaps()
    {
        using var file = File.OpenRead("/bin/ls");
        nint f = LibC.mmap(0, Page, LibC.PROT_READ, LibC.MAP_PRIVATE, (int)file.SafeFileHandle.DangerousGetHandle(), 0);
        Assert.NotEqual(-1, (long)f);
        nint a = LibC.mmap(0, 3 * Page, LibC.PROT_NONE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
        Assert.NotEqual(-1, (long)a);
        try
        {
            Assert.False(GcRegionPrefault.AnonymousPrivate(GcRegionPrefault.ReadMaps(), f, f + Page));
            Assert.Equal(0, LibC.munmap(a + Page, Page));
            Assert.False(GcRegionPrefault.AnonymousPrivate(GcRegionPrefault.ReadMaps(), a, a + 3 * Page));
            Assert.True(GcRegionPrefault.AnonymousPrivate(GcRegionPrefault.ReadMaps(), a, a + Page));
        }
        finally
        {
            LibC.munmap(f, Page);
            LibC.munmap(a, 3 * Page);
        }
    }

    [Fact]
    public void ReservedOnlyRejectsAccessibleMemory()
    {
        nint a = LibC.mmap(0, 8 * Page, LibC.PROT_NONE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
        Assert.NotEqual(-1, (long)a);
        try
        {
            Assert.Equal(0, LibC.mprotect(a + 2 * Page, Page, LibC.PROT_READ | LibC.PROT_WRITE));
            var maps = GcRegionPrefault.ReadMaps();
            Assert.True(GcRegionPrefault.AnonymousPrivate(maps, a + 3 * Page, a + 8 * Page, reservedOnly: true));
            Assert.False(GcRegionPrefault.AnonymousPrivate(maps, a + Page, a + 4 * Page, reservedOnly: true));
            Assert.True(GcRegionPrefault.AnonymousPrivate(maps, a + Page, a + 4 * Page));
        }
        finally
        {
            LibC.munmap(a, 8 * Page);
        }
    }
}
