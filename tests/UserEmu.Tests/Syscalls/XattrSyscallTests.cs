using UserEmu.Syscalls.Host;
using Xunit;

namespace UserEmu.Tests.Syscalls;

/// <summary>getxattr/listxattr families give the guest what the host kernel answers for the same file.</summary>
public sealed unsafe class XattrSyscallTests : IDisposable
{
    readonly SyscallFixture _f = new();
    readonly string _file = Path.GetTempFileName();

    public void Dispose()
    {
        _f.Dispose();
        File.Delete(_file);
    }

    long Host(int nr, string path, string? name, int size)
    {
        var buf = new byte[Math.Max(size, 1)];
        fixed (byte* p = System.Text.Encoding.UTF8.GetBytes(path + "\0"))
        fixed (byte* n = name == null ? null : System.Text.Encoding.UTF8.GetBytes(name + "\0"))
        fixed (byte* b = buf)
            return name == null ? Sys.Call(nr, (long)p, (long)b, size) : Sys.Call(nr, (long)p, (long)n, (long)b, size);
    }

    [Theory]
    [InlineData("getxattr", 191), InlineData("lgetxattr", 192)]
    public void GetMatchesHost(string call, int hostNr)
    {
        ulong path = _f.PutString(SyscallFixture.Scratch, _file);
        ulong name = _f.PutString(SyscallFixture.Scratch + 0x1000, "user.useremu-absent");
        Assert.Equal(Host(hostNr, _file, "user.useremu-absent", 64), _f.Call(call, path, name, SyscallFixture.Scratch + 0x2000, 64));
        ulong selinux = _f.PutString(SyscallFixture.Scratch + 0x1000, "security.selinux");
        Assert.Equal(Host(hostNr, _file, "security.selinux", 0), _f.Call(call, path, selinux, 0, 0));
    }

    [Fact]
    public void ListMatchesHostAndBadNameIsRange()
    {
        ulong path = _f.PutString(SyscallFixture.Scratch, _file);
        Assert.Equal(Host(195, _file, null, 0), _f.Call("llistxattr", path, 0, 0));
        ulong longName = _f.PutString(SyscallFixture.Scratch + 0x1000, "user." + new string('x', 300));
        Assert.Equal(-34L, _f.Call("getxattr", path, longName, SyscallFixture.Scratch + 0x2000, 64));
        Assert.Equal(-14L, _f.Call("getxattr", 8, longName, SyscallFixture.Scratch + 0x2000, 64));
    }
}
