using System.Runtime.InteropServices;
using Iced.Intel;
using UserEmu.Host;
using static Iced.Intel.AssemblerRegisters;

namespace UserEmu.Backend.Native;

/// <summary>Where native code's indirect jumps (ret, jmp/call through a register) continue: guest PC hash to a block's indirect entry, one table per guest process.</summary>
/// <remarks>
/// Entries are written by dispatchers of any thread and read racily by native code, so an entry proves nothing: the
/// indirect entry it leads to compares RIP with its own guest PC and leaves to the dispatcher on a mismatch, asking it
/// to fill the entry (<see cref="FillRequest"/>). An empty entry leads to a stub that asks the same.
/// </remarks>
public sealed unsafe class NativeJumpTable
{
    public const int Bits = 16;
    const int Size = 1 << Bits;
    /// <summary>rdx value with ExitNext: put the block at RIP into the table.</summary>
    public const nint FillRequest = 1;

    static readonly nint s_missStub = MissStub();

    /// <summary>The entries (native memory: code jumps through them).</summary>
    public readonly nint* Entries;

    public NativeJumpTable()
    {
        Entries = (nint*)NativeMemory.Alloc(Size * (nuint)sizeof(nint));
        Clear();
    }

    /// <summary>Empties every entry (the code they lead to is about to be freed).</summary>
    public void Clear()
    {
        for (int k = 0; k < Size; k++) Entries[k] = s_missStub;
    }

    /// <summary>Index of <paramref name="pc"/>'s entry, as the code computes it.</summary>
    static int Index(ulong pc) => (int)((pc ^ (pc >> Bits)) & (Size - 1));

    public void Fill(ulong pc, byte* indirectEntry) => Entries[Index(pc)] = (nint)indirectEntry;

    static nint MissStub()
    {
        // RIP is already stored by the jumping block.
        var a = new Assembler(64);
        a.mov(edx, (int)FillRequest);
        a.mov(rax, NativeBlockCompiler.ExitNext);
        a.ret();
        return NativeSignalHandler.Place(a);
    }
}
