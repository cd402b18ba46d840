using Iced.Intel;
using UserEmu.Memory;
using Decoder = Iced.Intel.Decoder;

namespace UserEmu.Frontend.X86;

/// <summary>
/// Finds loops of two pieces: a block that ends in a jcc back to code before it, which runs straight (past forward jccs at
/// most) into that block's start or a jcc back to it. The block then translates the taken path as well and ends there,
/// so that the loop is one block branching to itself.
/// </summary>
/// <remarks>
/// gzip's longest_match: its loop is `if (first bytes differ) continue;` (a forward jcc from the loop head to the loop's
/// condition, hot) and the condition's jcc back to the head. Each piece was a block of its own, the guest registers stored
/// at the end of one and loaded at the start of the other, twice a pass; as one block looping on itself the native tier
/// keeps them in host registers (NativeBlockCompiler.LoopCarried). The code before the block is read only on the block's
/// own first page, so a guest write to it invalidates the block as well.
/// </remarks>
static class LoopTrace
{
    /// <summary>At most this many instructions from the jcc's target to the jcc back.</summary>
    const int MaxInstructions = 16;

    [ThreadStatic] static GuestCodeReader? t_reader;
    [ThreadStatic] static Decoder? t_decoder;

    /// <summary>Whether the code at <paramref name="from"/> (before <paramref name="start"/>, on its page) runs straight into <paramref name="start"/> or a jcc to it, with no other control flow than forward jccs (the loop's other exits, side exits of the block).</summary>
    /// <remarks>
    /// Not on a page the guest may write: the block runs the code before its start after its own stores, and a store
    /// that rewrote that code (a JIT's loop patching itself) would leave the rest of the pass running the old bytes.
    /// Making the page writable drops the block (mprotect invalidates code pages made writable).
    /// </remarks>
    public static bool ReturnsTo(GuestAddressSpace memory, ulong from, ulong start)
    {
        if (from >> GuestAddressSpace.PageShift != start >> GuestAddressSpace.PageShift) return false;
        if ((memory.FlagsAt(start) & PageFlags.Write) != 0) return false;
        var reader = t_reader ??= new GuestCodeReader(memory);
        reader.Reset(memory, from);
        var decoder = t_decoder ??= Decoder.Create(64, reader, from, DecoderOptions.None);
        for (int n = 0; n < MaxInstructions; n++)
        {
            decoder.IP = reader.Position;
            decoder.Decode(out var insn);
            if (insn.IsInvalid || insn.NextIP > start) return false;
            if (insn.FlowControl != FlowControl.Next)
            {
                if (!insn.IsJccShortOrNear) return false;
                if (insn.NearBranchTarget == start) return true;
                if (insn.NearBranchTarget <= insn.IP) return false;
            }
            // Falling into the block: a loop whose head comes after its latch.
            if (insn.NextIP == start) return true;
        }
        return false;
    }
}
