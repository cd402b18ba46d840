using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

// NativeBlockCompiler, continued: temps read from the guest register they were loaded from.
public sealed unsafe partial class NativeBlockCompiler
{
    // Per temp: 1 + the CpuState offset of the general register it is read from instead of its frame slot (0: none).
    readonly int[] _home = new int[NativeBlockRunner.FrameTemps];
    // The temps that have one.
    readonly ScratchList<int> _homed = new();

    /// <summary>
    /// A temp without a register that is an 8-byte load of a general register, or is stored whole into one by the next
    /// op, needs no frame slot where nothing else writes that register's state field up to the temp's last use (no
    /// other state store to it in the block, no helper call that may write state): it is read from that field, and its
    /// definition stores nothing. Such temps the register allocator left in the frame had been stored there and read
    /// back (lua's dispatch block: 5 stores a pass; fib's: 2).
    /// </summary>
    /// <remarks>
    /// Not in a loop block (its carried registers and sunk stores leave state fields stale), nor for a temp the next
    /// op alone takes from rax (nothing stored either way). The managed side reads temps from the frame: before an op
    /// goes to it, the live ones are copied there (<see cref="MaterializeHomes"/>).
    /// </remarks>
    void FindHomes(ReadOnlySpan<IrInstr> code)
    {
        foreach (int t in _homed.AsSpan()) _home[t] = 0;
        _homed.Clear();
        if (_carried.Count > 0 || _anySunk) return;
        for (int k = 0; k < code.Length; k++)
        {
            ref readonly var i = ref code[k];
            if (!PreparedBlock.Defines(i.Op) || i.Dst < _pure) continue;
            ushort t = i.Dst;
            if (_inFrame[t] || _reg[t] != Register.None || _lastUse[t] <= k + 1 || NextOpAloneTakes(k, t)) continue;
            // The field it comes from, or goes to at once (a store made on the fast path: not one left to the stubs).
            int store = -1;
            long offset;
            if (i.Op == IrOp.LoadState && i.Size == 8) offset = i.Imm;
            // Not a result the managed side may produce (an access's slow path, a helper): it writes the frame slot.
            else if (i.Op is not (IrOp.Load or IrOp.Call or IrOp.PureCall) && k + 1 < code.Length
                && code[k + 1] is { Op: IrOp.StoreState, Size: 8 } next && next.A == t && !IsDeferred(k + 1))
            {
                offset = next.Imm;
                store = k + 1;
            }
            else continue;
            if (offset < CpuState.GprOffset(0) || offset > CpuState.GprOffset(15) || (offset - CpuState.GprOffset(0)) % 8 != 0) continue;
            if (StateWrittenBefore(code, (int)offset, _lastUse[t], store)) continue;
            _home[t] = (int)offset + 1;
            _homed.Add(t);
        }
    }

    // Whether an op up to `last` but `except` stores to the 8 bytes at `offset`, or may (a helper call that may write
    // any state). From the block's start: a store before the temp's definition may be made later (DeferredStores).
    static bool StateWrittenBefore(ReadOnlySpan<IrInstr> code, int offset, int last, int except)
    {
        for (int j = 0; j <= last; j++)
        {
            ref readonly var i = ref code[j];
            if (i.Op == IrOp.StoreState && j != except && i.Imm < offset + 8 && i.Imm + i.Size > offset) return true;
            if (i.Op == IrOp.Call && !HelperTable.WritesOnlyVectorState(i.Helper)) return true;
        }
        return false;
    }

    // In a stub before op `op` goes to the managed side: the temps read from state fields that are live there, into their
    // frame slots (for an op that resumes, more than it reads; these stubs are out of line).
    void MaterializeHomes(int op)
    {
        foreach (int t in _homed.AsSpan())
        {
            if (_def[t] >= op || _lastUse[t] < op) continue;
            E(Instruction.Create(Code.Mov_r64_rm64, RCX, StateOperand(_home[t] - 1)));
            E(Instruction.Create(Code.Mov_rm64_r64, Frame((ushort)t), RCX));
        }
    }
}
