using Iced.Intel;
using UserEmu.Memory;

namespace UserEmu.Frontend.X86;

/// <summary>Feeds Iced guest code bytes, stopping (end of input) at the first byte that is not executable.</summary>
public sealed unsafe class GuestCodeReader(GuestAddressSpace memory) : CodeReader
{
    public ulong Position;

    public override int ReadByte()
    {
        ulong a = Position;
        if ((memory.FlagsAt(a) & PageFlags.Exec) == 0) return -1;
        Position = a + 1;
        return memory.HostBase[a];
    }
}
