using Iced.Intel;
using UserEmu.IR;
using UserEmu.Memory;
using Decoder = Iced.Intel.Decoder;

namespace UserEmu.Frontend.X86;

/// <summary>Flag liveness across a block's exit: whether each direct successor sets every status flag before it reads one, so the lazy-flag state the block leaves is never read.</summary>
/// <remarks>
/// Nearly every block ending in a conditional branch stored the kind, result and operand of its compare for the
/// successors (three stores), which usually test or compare again first. Successors are decoded, not translated: a few
/// instructions that touch no flags (moves, loads, lea, push, direct jmps within the pages below), then one of the ALU
/// instructions whose emitter sets the whole lazy state from its operands alone (shifts by a constant and multiplies
/// included). Anything else (a flag reader, a partial writer such as inc or a shift,
/// any control transfer) keeps the state live. Only successor bytes on the block's own pages are read, so a guest
/// write that changes them also invalidates this block. What stays imprecise is the EFLAGS a signal frame shows for
/// a signal taken between the block and that flag writer, which only a handler reading uc_mcontext's EFLAGS sees.
/// </remarks>
static class SuccessorFlags
{
    const RflagsBits Status = RflagsBits.OF | RflagsBits.SF | RflagsBits.ZF | RflagsBits.AF | RflagsBits.PF | RflagsBits.CF;
    const int Lookahead = 8;

    /// <summary>Whether the status flags are dead at the exit of <paramref name="block"/> (a direct jump or branch whose targets all write them first); <paramref name="reader"/> and <paramref name="decoder"/> are the translator's, done with the block.</summary>
    public static bool DeadAtExit(IrBlock block, GuestAddressSpace memory, GuestCodeReader reader, Decoder decoder)
    {
        ref readonly var exit = ref block.Ops[^1];
        var (lo, hi) = Pages(block);
        return exit.Op switch
        {
            IrOp.Jump => WrittenFirst(memory, reader, decoder, (ulong)exit.Imm, lo, hi),
            IrOp.Branch => WrittenFirst(memory, reader, decoder, (ulong)exit.Imm, lo, hi) && WrittenFirst(memory, reader, decoder, (ulong)exit.Imm2, lo, hi),
            _ => false,
        };
    }

    /// <summary>Marks each side exit of <paramref name="block"/> whose target writes the status flags first (<see cref="IrOp.SideExit"/>'s Aux).</summary>
    public static void MarkSideExits(IrBlock block, GuestAddressSpace memory, GuestCodeReader reader, Decoder decoder)
    {
        var (lo, hi) = Pages(block);
        foreach (ref var i in block.Ops)
            if (i.Op == IrOp.SideExit && WrittenFirst(memory, reader, decoder, (ulong)i.Imm, lo, hi)) i.Aux = 1;
    }

    // The block's own pages: successor bytes there change only together with the block.
    static (ulong Lo, ulong Hi) Pages(IrBlock block) =>
        (block.GuestPc & ~GuestAddressSpace.PageMask, ((Math.Max(block.GuestEnd, block.GuestPc + 1) - 1) | GuestAddressSpace.PageMask) + 1);

    static bool WrittenFirst(GuestAddressSpace memory, GuestCodeReader reader, Decoder decoder, ulong pc, ulong lo, ulong hi)
    {
        if (pc < lo || pc >= hi) return false;
        reader.Reset(memory, pc);
        for (int n = 0; n < Lookahead; n++)
        {
            decoder.IP = reader.Position;
            decoder.Decode(out var insn);
            if (insn.IsInvalid || insn.NextIP > hi) return false;
            // A direct jmp on the same pages is followed (gzip's longest_match: its loop's exit jumps to a cmp).
            if (insn.FlowControl == FlowControl.UnconditionalBranch && insn.Op0Kind is OpKind.NearBranch64 or OpKind.NearBranch32)
            {
                ulong target = insn.NearBranchTarget;
                if (target < lo || target >= hi) return false;
                reader.Reset(memory, target);
                continue;
            }
            if (insn.FlowControl != FlowControl.Next || (insn.RflagsRead & Status) != 0) return false;
            if (SetsEveryStatusFlag(insn.Mnemonic) || ShiftsByConstant(insn)) return true;
            if ((insn.RflagsModified & Status) != 0) return false;
        }
        return false;
    }

    // ALU instructions whose emitters replace the whole lazy-flag state (kind, result, operands) from their operands:
    // mul and imul too (OF and CF from the product, the rest undefined).
    static bool SetsEveryStatusFlag(Mnemonic m) =>
        m is Mnemonic.Add or Mnemonic.Sub or Mnemonic.Cmp or Mnemonic.Test or Mnemonic.And or Mnemonic.Or or Mnemonic.Xor or Mnemonic.Neg
            or Mnemonic.Mul or Mnemonic.Imul;

    // shl, shr and sar by an immediate that is not 0 once masked (a zero count leaves every flag as it was), which
    // InstEmitShift records as a whole lazy state (AF, and OF past a count of 1, are undefined).
    static bool ShiftsByConstant(in Instruction insn) =>
        insn.Mnemonic is Mnemonic.Shl or Mnemonic.Shr or Mnemonic.Sar && insn.OpCount == 2 && insn.Op1Kind == OpKind.Immediate8
        && (insn.Immediate8 & (insn.Op0Register.GetSize() == 8 || insn.MemorySize == MemorySize.UInt64 ? 0x3f : 0x1f)) != 0;
}
