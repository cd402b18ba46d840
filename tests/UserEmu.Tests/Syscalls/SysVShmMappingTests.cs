using UserEmu.Memory;
using Xunit;

namespace UserEmu.Tests.Syscalls;

/// <summary>shmat/shmdt through the bridge: the guest mapping they leave (shared, named, sized) and the host reservation after a detach.</summary>
public sealed unsafe class SysVShmMappingTests : IDisposable
{
    const ulong IPC_CREAT = 0x200, IPC_RMID = 0, SHM_RDONLY = 0x1000, PROT_READ = 1;
    const long EINVAL = -22;

    readonly SyscallFixture _g = new();
    readonly int _id;

    public SysVShmMappingTests()
    {
        _id = (int)_g.Call("shmget", 0, 3 * 4096 - 100, IPC_CREAT | 0x180);
        Assert.True(_id >= 0, $"shmget: {_id}");
    }

    public void Dispose()
    {
        _g.Call("shmctl", (ulong)_id, IPC_RMID, 0);
        _g.Dispose();
    }

    [Fact]
    public void AttachIsASharedNamedMappingOfTheWholeSegment()
    {
        long at = _g.Call("shmat", (ulong)_id, 0, 0);
        Assert.True(at > 0 && (at & 0xfff) == 0, $"shmat: {at:x}");
        var m = _g.Memory.FindMapping((ulong)at)!;
        Assert.Equal((ulong)at, m.Start);
        Assert.Equal(3 * 4096UL, m.Length);
        Assert.True(m.Shared);
        Assert.True(_g.Memory.IsSharedAt((ulong)at + 4096));
        Assert.Equal("/SYSV00000000 (deleted)", m.Name);
        Assert.Equal((ulong)_id, m.Inode);
        Assert.Equal(PageFlags.Read | PageFlags.Write, m.Prot);

        // The guest sees the host segment's pages: a second attach reads what the first wrote.
        _g.Memory.Write64((ulong)at + 8192, 0x1122334455667788);
        long ro = _g.Call("shmat", (ulong)_id, 0, SHM_RDONLY);
        Assert.Equal(0x1122334455667788UL, _g.Memory.Read64((ulong)ro + 8192));
        Assert.Equal(PageFlags.Read, _g.Memory.FindMapping((ulong)ro)!.Prot);
        Assert.Throws<GuestFaultException>(() => _g.Memory.Write8((ulong)ro, 1));

        Assert.Equal(0, _g.Call("shmdt", (ulong)ro));
        Assert.Equal(0, _g.Call("shmdt", (ulong)at));
    }

    [Fact]
    public void DetachRemovesEveryPieceAndGivesTheRangeBackToTheReservation()
    {
        long at = _g.Call("shmat", (ulong)_id, 0, 0);
        Assert.Equal(0, _g.Call("mprotect", (ulong)at + 4096, 4096, PROT_READ));
        Assert.Equal(3, _g.Memory.Mappings().Count(m => m.Start >= (ulong)at && m.End <= (ulong)at + 3 * 4096));
        Assert.Equal(EINVAL, _g.Call("shmdt", (ulong)at + 4096));
        Assert.Equal(0, _g.Call("shmdt", (ulong)at));
        Assert.Null(_g.Memory.FindMapping((ulong)at));
        Assert.Null(_g.Memory.FindMapping((ulong)at + 8192));
        Assert.Equal(PageFlags.None, _g.Memory.FlagsAt((ulong)at + 4096));
        Assert.Equal(EINVAL, _g.Call("shmdt", (ulong)at));

        // The host range is PROT_NONE reservation again, not a hole another host mapping could take.
        string hostRange = HostLineContaining((ulong)(_g.Memory.HostBase + at));
        Assert.Contains(" ---p ", hostRange);
    }

    static string HostLineContaining(ulong hostAddr)
    {
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            int dash = line.IndexOf('-'), space = line.IndexOf(' ');
            ulong start = Convert.ToUInt64(line[..dash], 16), end = Convert.ToUInt64(line[(dash + 1)..space], 16);
            if (start <= hostAddr && hostAddr < end) return line;
        }
        return "(unmapped)";
    }
}
