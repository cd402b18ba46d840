using UserEmu.Memory;
using Xunit;

namespace UserEmu.Tests.Syscalls;

/// <summary>mmap and friends through the bridge: results, the mapping table, and the kernel's argument checks.</summary>
public sealed class MemorySyscallTests : IDisposable
{
    const ulong PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4, RW = PROT_READ | PROT_WRITE;
    const ulong MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_32BIT = 0x40,
        MAP_NORESERVE = 0x4000, MAP_POPULATE = 0x8000, MAP_STACK = 0x20000, MAP_FIXED_NOREPLACE = 0x100000;
    const ulong Anon = MAP_PRIVATE | MAP_ANONYMOUS;
    const int EINVAL = 22, EEXIST = 17, ENOMEM = 12, EBADF = 9;
    static readonly ulong NoFd = ulong.MaxValue;

    readonly SyscallFixture _g = new();

    public void Dispose() => _g.Dispose();

    long Mmap(ulong addr, ulong len, ulong prot, ulong flags, ulong fd = ulong.MaxValue, ulong off = 0) =>
        _g.Call("mmap", addr, len, prot, flags, fd, off);

    GuestMapping? At(ulong addr) => _g.Memory.FindMapping(addr);

    [Fact]
    public void AnonymousMmapMunmap()
    {
        long a = Mmap(0, 3 * 4096, RW, Anon | MAP_NORESERVE | MAP_POPULATE | MAP_STACK);
        Assert.True(a > 0 && (a & 0xfff) == 0, $"mmap returned {a:x}");
        var m = At((ulong)a);
        Assert.NotNull(m);
        Assert.Equal(PageFlags.Read | PageFlags.Write, m!.Prot);
        Assert.Equal(3 * 4096UL, m.Length);
        _g.Memory.Write64((ulong)a + 8000, 42);
        Assert.Equal(0, _g.Call("munmap", (ulong)a, 3 * 4096));
        Assert.Null(At((ulong)a));
    }

    [Fact]
    public void MmapArgumentChecksMatchTheKernel()
    {
        Assert.Equal(-EINVAL, Mmap(0, 0, RW, Anon));
        Assert.Equal(-EINVAL, Mmap(0, 4096, RW, MAP_ANONYMOUS)); // neither private nor shared
        Assert.Equal(-EINVAL, Mmap(0x300001, 4096, RW, Anon | MAP_FIXED));
        Assert.Equal(-EINVAL, Mmap(0, 4096, RW, Anon, NoFd, 12));
        Assert.Equal(-EBADF, Mmap(0, 4096, RW, MAP_PRIVATE, 987654));
        Assert.Equal(0x300000, Mmap(0x300000, 4096, RW, Anon | MAP_FIXED_NOREPLACE));
        Assert.Equal(-EEXIST, Mmap(0x300000, 4096, RW, Anon | MAP_FIXED_NOREPLACE));
        Assert.Equal(0x300000, Mmap(0x300000, 4096, PROT_READ, Anon | MAP_FIXED));
        Assert.Equal(PageFlags.Read, At(0x300000)!.Prot);
        Assert.Equal(-EINVAL, _g.Call("munmap", 0x300001, 4096));
        Assert.Equal(-EINVAL, _g.Call("munmap", 0x300000, 0));
    }

    [Fact]
    public void Map32BitStaysBelowTwoGigabytes()
    {
        long a = Mmap(0, 1 << 20, RW, Anon | MAP_32BIT);
        Assert.True(a >= 0x40000000 && a + (1 << 20) <= 0x80000000, $"got {a:x}");
    }

    [Fact]
    public void MprotectChangesPermissionsAndRejectsBadArguments()
    {
        long a = Mmap(0x400000, 2 * 4096, RW, Anon | MAP_FIXED);
        Assert.Equal(0, _g.Call("mprotect", (ulong)a + 4096, 4096, PROT_READ));
        Assert.Equal(PageFlags.Read | PageFlags.Write, At((ulong)a)!.Prot);
        Assert.Equal(PageFlags.Read, At((ulong)a + 4096)!.Prot);
        Assert.Throws<GuestFaultException>(() => _g.Memory.Write8((ulong)a + 4096, 1));
        Assert.Equal(-EINVAL, _g.Call("mprotect", (ulong)a + 1, 4096, PROT_READ));
        Assert.Equal(-EINVAL, _g.Call("mprotect", (ulong)a, 4096, 0x80));
        Assert.Equal(-ENOMEM, _g.Call("mprotect", 0x500000, 4096, PROT_READ));
        Assert.Equal(0, _g.Call("mprotect", (ulong)a, 0, PROT_READ));
    }

    [Fact]
    public void MremapShrinksMovesAndChecksFlags()
    {
        long a = Mmap(0x600000, 4 * 4096, RW, Anon | MAP_FIXED);
        _g.Memory.Write64(0x600000, 0x1234);
        Assert.Equal(0x600000, _g.Call("mremap", 0x600000, 4 * 4096, 2 * 4096, 0));
        Assert.Equal(2 * 4096UL, At(0x600000)!.Length);
        Assert.Null(At(0x602000));
        Mmap(0x602000, 4096, RW, Anon | MAP_FIXED); // blocks growth in place
        Assert.Equal(-ENOMEM, _g.Call("mremap", 0x600000, 2 * 4096, 4 * 4096, 0));
        long moved = _g.Call("mremap", 0x600000, 2 * 4096, 4 * 4096, 1 /* MREMAP_MAYMOVE */);
        Assert.True(moved > 0 && moved != 0x600000);
        Assert.Equal(0x1234UL, _g.Memory.Read64((ulong)moved));
        Assert.Equal(4 * 4096UL, At((ulong)moved)!.Length);
        Assert.Null(At(0x600000));
        Assert.Equal(-EINVAL, _g.Call("mremap", (ulong)moved, 4096, 4096, 2 /* FIXED without MAYMOVE */, 0x700000));
        Assert.Equal(-EINVAL, _g.Call("mremap", (ulong)moved, 4096, 0, 0));
        Assert.Equal(-EINVAL, _g.Call("mremap", (ulong)moved + 1, 4096, 4096, 0));
        Assert.Equal(0x700000, _g.Call("mremap", (ulong)moved, 4 * 4096, 4096, 3, 0x700000));
        Assert.Equal(0x1234UL, _g.Memory.Read64(0x700000));
    }

    [Fact]
    public void MremapGrowsInPlaceWhenThePagesAfterAreFree()
    {
        Mmap(0x600000, 4096, RW, Anon | MAP_FIXED);
        Assert.Equal(0x600000, _g.Call("mremap", 0x600000, 4096, 2 * 4096, 0));
        Assert.Equal(2 * 4096UL, At(0x600000)!.Length);
    }

    [Fact]
    public void BrkGrowsAndShrinksTheHeap()
    {
        _g.Memory.InitBrk(0x1000000);
        Assert.Equal(0x1000000, _g.Call("brk", 0));
        Assert.Equal(0x1003000, _g.Call("brk", 0x1003000));
        Assert.Equal("[heap]", At(0x1002000)!.Name);
        _g.Memory.Write8(0x1002fff, 1);
        Assert.Equal(0x1001000, _g.Call("brk", 0x1001000));
        Assert.Null(At(0x1002000));
        Assert.Equal(0x1001000, _g.Call("brk", 0x10)); // below the start: unchanged
    }

    [Fact]
    public void MadviseDontneedZeroesAndHolesAreEnomem()
    {
        long a = Mmap(0x800000, 2 * 4096, RW, Anon | MAP_FIXED);
        _g.Memory.Write64(0x800010, 99);
        Assert.Equal(0, _g.Call("madvise", 0x800000, 4096, 4 /* MADV_DONTNEED */));
        Assert.Equal(0UL, _g.Memory.Read64(0x800010));
        Assert.Equal(-ENOMEM, _g.Call("madvise", 0x800000, 3 * 4096, 4));
        Assert.Equal(-EINVAL, _g.Call("madvise", 0x800001, 4096, 4));
        Assert.Equal(0, _g.Call("mincore", (ulong)a, 2 * 4096, SyscallFixture.Scratch));
        Assert.Equal(-ENOMEM, _g.Call("msync", 0x900000, 4096, 4));
        Assert.Equal(-EINVAL, _g.Call("msync", (ulong)a, 4096, 5));
    }

    [Fact]
    public void FileBackedMmapShowsTheFileAndItsName()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "mapped file contents");
            _g.PutString(SyscallFixture.Scratch, path);
            long fd = _g.Call("open", SyscallFixture.Scratch, 0);
            Assert.True(fd >= 0);
            long a = Mmap(0, 4096, PROT_READ, MAP_PRIVATE, (ulong)fd);
            Assert.True(a > 0);
            Assert.Equal("mapped file contents", _g.ReadString((ulong)a, 20));
            var m = At((ulong)a)!;
            Assert.Equal(path, m.Name);
            Assert.NotEqual(0UL, m.Inode);
            Assert.Equal(0, _g.Call("close", (ulong)fd));
            Assert.Equal(0, _g.Call("munmap", (ulong)a, 4096));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MunmapAndMprotectDropTranslatedCode()
    {
        Mmap(0xa00000, 4096, PROT_READ | PROT_EXEC, Anon | MAP_FIXED);
        var tb = _g.Process.Code.Add(new Engine.TranslationBlock(new IR.IrBlock { GuestPc = 0xa00000, GuestEnd = 0xa00010, Code = [new IR.IrInstr { Op = IR.IrOp.Jump, Imm = 0xa00010 }], TempCount = 0, GuestInstructionCount = 1 }, _g.Process), _g.Memory);
        Assert.Equal(0, _g.Call("mprotect", 0xa00000, 4096, PROT_READ));
        Assert.False(tb.Valid);
        Assert.Null(_g.Process.Code.Lookup(0xa00000));
    }
}
