using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

// NativeBlockCompiler, continued: the ways out of a block: direct exits linked to their targets (patched jumps),
// conditional block ends, jumps through the jump table, and returns to the runner.
public sealed unsafe partial class NativeBlockCompiler
{
    // rax = the target (RIP not stored: the entry's miss stores it): its jump-table entry, which compares rax with its
    // block's PC.
    void JumpThroughTable()
    {
        E(Instruction.Create(Code.Mov_r64_rm64, RCX, RAX));
        E(Instruction.Create(Code.Shr_rm64_imm8, RCX, NativeJumpTable.Bits));
        E(Instruction.Create(Code.Xor_r64_rm64, RCX, RAX));
        E(Instruction.Create(Code.And_rm32_imm32, ECX, (1 << NativeJumpTable.Bits) - 1));
        E(Instruction.Create(Code.Mov_r64_imm64, R11, (ulong)_jumps!.Entries));
        _tableFields.Add(_buf.Length - 8);
        // An empty entry (0) goes where a block's indirect entry goes on a mismatch: RIP = rax, asking for a fill.
        E(Instruction.Create(Code.Mov_r64_rm64, RCX, new MemoryOperand(R11, RCX, 8, 0, 0)));
        E(Instruction.Create(Code.Test_rm64_r64, RCX, RCX));
        JumpToTail(Code.Je_rel32_64, NativeExitTails.Fill);
        E(Instruction.Create(Code.Jmp_rm64, RCX));
    }

    // RIP = rax, then back to the runner with no link slot.
    void ReturnNext() => JumpToTail(Code.Jmp_rel32_64, NativeExitTails.StoreRip);

    // A direct exit to `target`: linked to it unless the vCPU is interrupted, else (or unchained) back to the runner.
    // With a jcc for `jump` (a forward target only: nothing to test), the exit is taken if its condition holds; with a
    // call, the guest call's host call (NativeBlockCompiler.Returns).
    void DirectExit(ulong target, Code jump = Code.Jmp_rel32_64)
    {
        if (!_chain)
        {
            MovImm(RAX, target);
            ReturnNext();
            return;
        }
        // Only a jump back (to this block or one before it) tests the interrupt word: every cycle of direct jumps has
        // one, and a run of forward jumps cannot repeat a block.
        bool back = target <= _guestPc;
        // A loop block's back edge: the carried registers get the pass's values (whether or not it goes on: unlinked,
        // or interrupted, the state has them already).
        bool loop = CarriesAcross(target);
        if (loop) EmitCarriedMoves();
        else if (_anySunk)
        {
            // Any other way out makes the state stores a loop block left out (its jcc forms go through a stub; one
            // that did not would be a compiler bug, and the block stays interpreted).
            if (jump != Code.Jmp_rel32_64) _lostSunk = true;
            EmitSunkStores(_k >= 0 ? _k : _stubOp);
        }
        var exit = new DirectExitLabels(target, NewLabel(), NewLabel(), back ? NewLabel() : -1, NewLabel(), loop);
        _exits.Add(exit);
        if (back)
        {
            // A load and a compare: no store, so a loop carries no dependency through memory from pass to pass.
            E(Instruction.Create(Code.Cmp_rm8_imm8, InterruptWord, 0));
            JumpTo(Code.Jne_rel32_64, exit.Interrupted);
        }
        // A direct jmp whose rel32, 4-byte aligned so that linking rewrites it in one store, starts out at the exit's
        // own return path (QEMU's goto_tb). A jump through a slot in memory was an indirect branch at every block end:
        // predicted only while the host's indirect-target table holds it, and cc1 runs through ~140k blocks.
        AlignJumpField(jump is Code.Jmp_rel32_64 or Code.Call_rel32_64 ? 1 : 2);
        JumpTo(jump, exit.Link);
        _labels[exit.Field] = _buf.Length - 4;
    }

    // Pads so that the rel32 of a jump emitted next (its opcode `opcodeBytes` long) starts at a multiple of 4 (blocks
    // are placed 16-byte aligned, so the buffer's offsets have the alignment of the addresses): with up to three CS
    // segment prefixes on the jump itself (a branch hint, not taken, which hosts since the Pentium 4 ignore), rather than
    // a NOP before it that runs.
    void AlignJumpField(int opcodeBytes)
    {
        for (int n = (4 - ((_buf.Length + opcodeBytes) & 3)) & 3; n > 0; n--) _buf.WriteByte(0x2e);
    }

    // A superblock's side exit (op k) taken if `jcc` jumps. No state store waits past it (FindDeferredStores), so chained,
    // a forward target is reached by the jcc itself, linked as a jmp is. Unchained (or a constant condition), an
    // out-of-line direct exit.
    void SideExitIf(Code jcc, int k)
    {
        ulong target = (ulong)_code[k].Imm;
        // Dirty XMM registers (NativeBlockCompiler.XmmCache) are stored on the way out only, so that the path on keeps
        // them: the jcc goes to a stub that stores them before its exit (nbody: a sqrt's domain check, never taken,
        // stored 8 halves a pass).
        bool dirty = DirtyXmm(out int first, out int count);
        if (_chain && jcc != Code.Jmp_rel32_64 && !dirty && !_anySunk)
        {
            if (target > _guestPc)
            {
                DirectExit(target, jcc);
                return;
            }
            // A target back (a loop's own jcc) tests the interrupt word first: the exit is inline, jumped over when not taken, so
            // that the loop's path takes one host jump, as a block-ending branch's does. The path over it keeps what rax
            // and the XMM registers hold.
            int over = NewLabel();
            JumpTo(Negated(jcc), over);
            DirectExit(target);
            _labels[over] = _buf.Length;
            return;
        }
        ExitThroughStub(jcc, k, target, first, count);
    }

    // A jcc to an out-of-line stub that stores the dirty XMM registers (first, count: DirtyXmm's), and a loop's sunk
    // state stores as of op k, before its direct exit to `target`.
    void ExitThroughStub(Code jcc, int k, ulong target, int first, int count)
    {
        int label = NewLabel();
        JumpTo(jcc, label);
        _sideExits.Add(new SideExitStub(k, label, first, count, target));
    }

    // DirtyFirst, DirtyCount: the XMM registers it stores first (in _xmmReloads).
    readonly record struct SideExitStub(int Op, int Label, int DirtyFirst, int DirtyCount, ulong Target);
    readonly ScratchList<SideExitStub> _sideExits = new();

    void EmitSideExitStubs()
    {
        for (int n = 0; n < _sideExits.Count; n++)
        {
            var (op, label, dirtyFirst, dirtyCount, target) = _sideExits[n];
            Bind(label);
            StoreXmm(dirtyFirst, dirtyCount);
            _stubOp = op;
            DirectExit(target);
        }
    }

    /// <summary>The two direct exits of a branch whose condition is in the host's flags: to Imm if <paramref name="jcc"/> jumps, else to Imm2.</summary>
    void ChainedBranch(Code jcc, in IrInstr branch)
    {
        // A forward target is reached by the jcc itself (linked as a jmp is), the other one by a jmp after it; a target
        // back needs the interrupt word tested first, so it is the jmp, with the condition negated if it is the taken one.
        ulong taken = (ulong)branch.Imm, notTaken = (ulong)branch.Imm2;
        if (taken > _guestPc || notTaken > _guestPc)
        {
            if (taken <= _guestPc)
            {
                (taken, notTaken) = (notTaken, taken);
                jcc = Negated(jcc);
            }
            if (_anySunk)
            {
                // Out through a stub that makes the loop's sunk state stores first.
                DirtyXmm(out int first, out int count);
                ExitThroughStub(jcc, _k, taken, first, count);
            }
            else DirectExit(taken, jcc);
            DirectExit(notTaken);
            return;
        }
        ChainedBranchBack(jcc, branch);
    }

    static Code Negated(Code jcc)
    {
        var i = Instruction.CreateBranch(jcc, 0);
        i.NegateConditionCode();
        return i.Code;
    }

    // Both targets back: each exit tests the interrupt word. A loop's edge to the block itself (a loop trace's jcc to its start,
    // LoopTrace) comes right after the jcc, so that a pass takes one host jump.
    void ChainedBranchBack(Code jcc, in IrInstr branch)
    {
        ulong taken = (ulong)branch.Imm, notTaken = (ulong)branch.Imm2;
        if (taken == _guestPc)
        {
            (taken, notTaken) = (notTaken, taken);
            jcc = Negated(jcc);
        }
        int takenLabel = NewLabel();
        JumpTo(jcc, takenLabel);
        DirectExit(notTaken);
        Bind(takenLabel);
        DirectExit(taken);
    }

    // The direct exits' out-of-line parts: their ways back to the runner and their link slots.
    void EmitDirectExitStubs()
    {
        for (int n = 0; n < _exits.Count; n++)
        {
            var (target, slot, link, interrupted, _, loop, _) = _exits[n];
            if (loop && _anySunk)
            {
                // A loop's back edge with sunk state stores: each way to the runner makes them first, unlinked (then the
                // link call) or interrupted (then the Interrupted call, which comes right before the link call).
                Bind(link);
                EmitSunkStores(-1);
                int linkCall = NewLabel();
                JumpTo(Code.Jmp_rel32_64, linkCall);
                Bind(interrupted);
                EmitSunkStores(-1);
                JumpToTail(Code.Call_rel32_64, NativeExitTails.Interrupted);
                Bind(linkCall);
                JumpToTail(Code.Call_rel32_64, NativeExitTails.Link);
                _exits[n] = _exits[n] with { LinkCall = linkCall };
            }
            else
            {
                // Interrupted: back to the runner, unlinked (the tail finds the target after the next call's slot).
                if (interrupted >= 0)
                {
                    Bind(interrupted);
                    JumpToTail(Code.Call_rel32_64, NativeExitTails.Interrupted);
                }
                // Not linked yet: back to the dispatcher with the slot after the call, which it points at the target's
                // chain entry. The slot (where the jmp's rel32 is, and the next slot linked to the same target: written
                // once placed, LinkSlot), then the target.
                Bind(link);
                JumpToTail(Code.Call_rel32_64, NativeExitTails.Link);
            }
            Bind(slot);
            for (int b = 0; b < NativeExitTails.SlotTarget; b++) _buf.WriteByte(0);
            _buf.Write32((uint)target);
            _buf.Write32((uint)(target >> 32));
        }
    }
}
