using UserEmu.Frontend.X86;
using UserEmu.Memory;
using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Cpu;

/// <summary>The decoder's byte source ends where executable memory ends, whichever way it got there.</summary>
public class GuestCodeReaderTests
{
    const ulong Code = 0x10000, Data = 0x11000;

    static FakeGuest Guest()
    {
        var g = new FakeGuest();
        g.Map(Code, 0x1000, PageFlags.Read | PageFlags.Write | PageFlags.Exec);
        g.Map(Data, 0x1000, PageFlags.Read | PageFlags.Write);
        g.Memory.WriteBytes(Data - 2, [0x90, 0xc3]);
        g.Memory.WriteBytes(Data, [0xcc]);
        return g;
    }

    static GuestCodeReader At(FakeGuest g, ulong pc)
    {
        var reader = new GuestCodeReader(g.Memory);
        reader.Reset(g.Memory, pc);
        return reader;
    }

    [Fact]
    public void StopsAtTheFirstByteOfAPageWithoutExecute()
    {
        using var g = Guest();
        var reader = At(g, Data - 2);
        Assert.Equal(0x90, reader.ReadByte());
        Assert.Equal(0xc3, reader.ReadByte());
        Assert.Equal(-1, reader.ReadByte());
        Assert.Equal(Data, reader.Position);
        // Moved there directly, as a listing does.
        reader.Position = Data + 1;
        Assert.Equal(-1, reader.ReadByte());
    }

    [Fact]
    public void ChecksThePageAgainAfterReset()
    {
        using var g = Guest();
        var reader = At(g, Data - 2);
        Assert.Equal(0x90, reader.ReadByte());
        Assert.Equal(0, g.Memory.Protect(Code, 0x1000, PageFlags.Read));
        reader.Reset(g.Memory, Data - 2);
        Assert.Equal(-1, reader.ReadByte());
        Assert.Equal(0, g.Memory.Protect(Data, 0x1000, PageFlags.Read | PageFlags.Exec));
        reader.Reset(g.Memory, Data);
        Assert.Equal(0xcc, reader.ReadByte());
    }
}
