using Iced.Intel;
using UserEmu.Memory;

namespace UserEmu.Frontend.X86;

/// <summary>Feeds Iced guest code bytes, stopping (end of input) at the first byte that is not executable.</summary>
public sealed unsafe class GuestCodeReader(GuestAddressSpace memory) : CodeReader
{
    GuestAddressSpace _memory = memory;
    public ulong Position;
    // The guest page last found executable since Reset: Iced asks for every byte, and the page table lookup behind each
    // one was ~7% of busybox true's main thread (its blocks are translated once and run a few times).
    ulong _execPage = ulong.MaxValue;

    /// <summary>Points the reader at <paramref name="pc"/> in <paramref name="space"/> (one reader and decoder serve every translation of a thread).</summary>
    public void Reset(GuestAddressSpace space, ulong pc)
    {
        _memory = space;
        Position = pc;
        _execPage = ulong.MaxValue;
    }

    public override int ReadByte()
    {
        ulong a = Position;
        if (a >> GuestAddressSpace.PageShift != _execPage)
        {
            if ((_memory.FlagsAt(a) & PageFlags.Exec) == 0) return -1;
            _execPage = a >> GuestAddressSpace.PageShift;
        }
        Position = a + 1;
        return _memory.HostBase[a];
    }
}
