using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using static Iced.Intel.Register;

namespace UserEmu.Backend.Native;

// NativeBlockCompiler, continued: temps in the frame and in rax, and immediates.
public sealed unsafe partial class NativeBlockCompiler
{
    // rax = rax `code` temp t: from its frame slot, or a constant through `scratch` (constants are not all in the frame).
    void Rm(Code code, ushort t, Register scratch)
    {
        if (t < _pure)
        {
            MovImm(scratch, _constants[t]);
            E(Instruction.Create(code, RAX, scratch));
        }
        else if (_reg[t] != Register.None) E(Instruction.Create(code, RAX, _reg[t]));
        else E(Instruction.Create(code, RAX, Temp(t)));
    }

    static bool Fits32(ulong v) => (long)v == (int)(long)v;

    /// <summary>How far into the <see cref="CpuState"/> rdi points in block code.</summary>
    /// <remarks>
    /// So that a one-byte displacement reaches the lazy flags (CcDst, CcSrc, CcOp at 0x88-0xa0) as well as the
    /// general registers (0x00-0x78): a flag-setting op whose flags leave the block stored them with three four-byte
    /// displacements, 186k of cc1's 204k disp32 state operands (3.7% of its hot code bytes).
    /// </remarks>
    internal const int StateBias = 0x80;

    /// <summary>The displacement of the <see cref="CpuState"/> field at <paramref name="offset"/> from the block code's state pointer.</summary>
    internal static int StateDisplacement(int offset) => offset - StateBias;

    /// <summary>The state field at <paramref name="offset"/> in the <see cref="CpuState"/>, off the state pointer in <paramref name="state"/>.</summary>
    static MemoryOperand StateOperand(long offset, Register state = RDI) => new(state, offset - StateBias);

    // Where temp t is read from besides a register: its frame slot, or the general register's state field it was loaded
    // from where that holds it all its life (FindHomes).
    MemoryOperand Temp(ushort t) => _home[t] != 0 ? StateOperand(_home[t] - 1) : Frame(t);

    /// <summary>Temp t's frame slot, where the managed side reads and writes it.</summary>
    static MemoryOperand Frame(ushort t) => new(RSI, t * 8);

    // The words below the temps (NativeBlockRunner.Run): the highest guest address an access of up to 8 bytes may start
    // at, the guest page table; then, written by the entry stub, the host stack pointer every exit goes back to and the
    // lowest one a guest call may push a return pair below (NativeBlockCompiler.Returns).
    static MemoryOperand GuestLimit => new(RSI, -8);
    static MemoryOperand PageTable => new(RSI, -16);
    /// <summary>Offsets from rsi of the host stack pointer exits go back to and the lowest one a return pair may go (the entry stub writes both).</summary>
    internal const int HostStackOffset = -24, HostStackLimitOffset = -32;
    // The vCPU's interrupt word (CpuState.Interrupt), tested at every jump back and indirect jump.
    static MemoryOperand InterruptWord => StateOperand(CpuState.OffInterrupt);
    /// <summary>
    /// Below those, where a stub's trampoline saves the registers the block holds (<see cref="NativeExitTails.LazyStub"/>)
    /// before the stub is made, and the stub's address the way back in jumps to once it is (<see cref="StubTargetOffset"/>).
    /// </summary>
    internal const int StubTargetOffset = -40;
    /// <summary>Every register a block's code may hold a value in at a stub: not rsp, nor rsi, rdi and r8, which the entry stub sets.</summary>
    internal static readonly Register[] StubSavedRegisters = [RAX, RBX, RCX, RDX, RBP, R9, R10, R11, R12, R13, R14, R15];
    internal static int SavedRegisterOffset(int n) => StubTargetOffset - 8 * (n + 1);
    /// <summary>The 16 vector registers, 32 bytes each (all of a YMM register where the host has AVX2).</summary>
    internal static int SavedVectorOffset(int x) => SavedRegisterOffset(StubSavedRegisters.Length - 1) - 32 * (16 - x);
    /// <summary>Words of the runner's frame below the temps.</summary>
    internal static readonly int FrameWordsBelowTemps = -SavedVectorOffset(0) / 8;
    static MemoryOperand HostStack => new(RSI, HostStackOffset);
    static MemoryOperand HostStackLimit => new(RSI, HostStackLimitOffset);

    void LoadTemp(Register r64, ushort t)
    {
        if (_rax == t)
        {
            if (r64 != RAX) E(Instruction.Create(Code.Mov_r64_rm64, r64, RAX));
            return;
        }
        CheckInFrame(t);
        if (t < _pure) MovImm(r64, _constants[t]);
        else if (_reg[t] != Register.None) E(Instruction.Create(Code.Mov_r64_rm64, r64, _reg[t]));
        else E(Instruction.Create(Code.Mov_r64_rm64, r64, Temp(t)));
        if (r64 == RAX) _rax = t;
    }

    // Before t is read from anywhere but rax: a temp that lives in rax only is not in the frame. Losing track of it is a
    // compiler bug, and the block stays interpreted rather than run with garbage.
    void CheckInFrame(ushort t)
    {
        if (_k > 0 && _code[_k - 1].Dst == t && t >= _pure && PreparedBlock.Defines(_code[_k - 1].Op) && NextOpAloneTakes(_k - 1, t))
            _lostRax = true;
    }

    // t = r64; with r64 = rax the store is left out when the next op alone reads t, from rax.
    void StoreTemp(ushort t, Register r64 = RAX)
    {
        if (_home[t] != 0)
        {
            // Its state field holds it already (its definition loaded it from there), or gets it from the next op,
            // which reads it from rax; from another register it goes there now.
            if (r64 != RAX) E(Instruction.Create(Code.Mov_rm64_r64, Temp(t), r64));
            _rax = r64 == RAX ? t : -1;
            return;
        }
        if (_reg[t] != Register.None)
        {
            E(Instruction.Create(Code.Mov_r64_rm64, _reg[t], r64));
            _rax = r64 == RAX ? t : -1;
            return;
        }
        if (r64 != RAX)
        {
            E(Instruction.Create(Code.Mov_rm64_r64, Temp(t), r64));
            _rax = -1;
            return;
        }
        _rax = t;
        if (!NextOpAloneTakesFromRax(t)) E(Instruction.Create(Code.Mov_rm64_r64, Temp(t), RAX));
    }

    // t = a constant.
    void StoreTempImm(ushort t, ulong v)
    {
        if (_rax == t) _rax = -1;
        if (_reg[t] != Register.None) MovImm(_reg[t], v);
        else if (Fits32(v)) E(Instruction.Create(Code.Mov_rm64_imm32, Temp(t), (int)(long)v));
        else { MovImm(RAX, v); StoreTemp(t); }
    }

    bool NextOpAloneTakesFromRax(ushort t) => NextOpAloneTakes(_k, t);

    // Whether op k's result t is read only by op k + 1, which takes it first (from rax).
    bool NextOpAloneTakes(int k, ushort t)
    {
        // A helper's result must be in the frame: its slow path writes it there and resumes after it. (A Load's slow
        // path does too, and its way back loads rax with it.) A high multiply's result is in rdx, not rax.
        if (_uses[t] != 1 || k + 1 >= _n || _code[k].Op is IrOp.Call or IrOp.PureCall or IrOp.MulHiU or IrOp.MulHiS)
            return false;
        ref readonly var next = ref _code[k + 1];
        if (next.A == t) return TakesAFirst(next.Op);
        // A commutative op takes its operands the other way round when B is the one in rax (see TakesBFirst).
        return next.B == t && Commutative(next.Op);
    }

    // Ops whose code starts by loading A (LoadTemp), before anything else changes rax, and hand A to the managed side
    // only through their stub, which stores rax into A's slot first (guest accesses).
    static bool TakesAFirst(IrOp op) => op is IrOp.Mov or IrOp.StoreState or IrOp.Add or IrOp.Sub or IrOp.And or IrOp.Or
        or IrOp.Xor or IrOp.Mul or IrOp.Shl or IrOp.Shr or IrOp.Sar or IrOp.Rol or IrOp.Ror or IrOp.MulHiU or IrOp.MulHiS
        or IrOp.Neg or IrOp.Not or IrOp.ZExt or IrOp.SExt or IrOp.Bswap or IrOp.CmpEq or IrOp.CmpNe or IrOp.CmpLtU
        or IrOp.CmpLeU or IrOp.CmpLtS or IrOp.CmpLeS or IrOp.Select or IrOp.JumpIndirect or IrOp.Branch
        or IrOp.SideExit or IrOp.Load or IrOp.Store;

    static bool Commutative(IrOp op) => op is IrOp.Add or IrOp.And or IrOp.Or or IrOp.Xor or IrOp.Mul or IrOp.CmpEq or IrOp.CmpNe;

    // Whether commutative op k loads B first: B is the previous op's result, left in rax only.
    bool TakesBFirst(int k)
    {
        ref readonly var i = ref _code[k];
        return k > 0 && i.A != i.B && i.B >= _pure && _code[k - 1].Dst == i.B && PreparedBlock.Defines(_code[k - 1].Op)
            && NextOpAloneTakes(k - 1, i.B);
    }

    void MovImm(Register r64, ulong v)
    {
        if (r64 == RAX) _rax = -1;
        if (v <= uint.MaxValue) E(Instruction.Create(Code.Mov_r32_imm32, Low32(r64), (uint)v));
        else if (Fits32(v)) E(Instruction.Create(Code.Mov_rm64_imm32, r64, (int)(long)v));
        else E(Instruction.Create(Code.Mov_r64_imm64, r64, v));
    }

    static Register Low32(Register r64) => r64 switch
    {
        RAX => EAX,
        RCX => ECX,
        RDX => EDX,
        R9 => R9D,
        R10 => R10D,
        R11 => R11D,
        RBX => EBX,
        RBP => EBP,
        R12 => R12D,
        R13 => R13D,
        R14 => R14D,
        R15 => R15D,
        _ => throw new ArgumentException($"no 32-bit form for {r64}"),
    };

    /// <summary>Registers that hold temps within a block; the callee-saved ones (SysV ABI) are saved once per runner call by its entry stub.</summary>
    internal static readonly Register[] TempRegisters = [RBX, RBP, R12, R13, R14, R15, R9, R10];

    // Per temp of the block being compiled: its host register (None: the frame), its defining op and its last reader;
    // per temp register, the temp it holds.
    readonly Register[] _reg = new Register[NativeBlockRunner.FrameTemps];
    readonly int[] _def = new int[NativeBlockRunner.FrameTemps], _lastUse = new int[NativeBlockRunner.FrameTemps];
    readonly ushort[] _owner = new ushort[TempRegisters.Length];
    // The temps that got a register, in order of definition.
    readonly ScratchList<int> _registerTemps = new();
    // Temps defined more than once or read before their definition: they stay in the frame.
    readonly bool[] _inFrame = new bool[NativeBlockRunner.FrameTemps];

    void ComputeLiveRanges(ReadOnlySpan<IrInstr> code, int temps)
    {
        // Loops, not Array.Fill: the framework's generic fills over these types are JIT-compiled at start-up.
        for (int t = 0; t < temps; t++)
        {
            _reg[t] = Register.None;
            _def[t] = _lastUse[t] = -1;
        }
        var bad = _inFrame;
        Array.Clear(bad, 0, temps);
        for (int k = 0; k < code.Length; k++)
        {
            ref readonly var i = ref code[k];
            int n = Optimizer.DeadTemps.TempOperands(i.Op);
            for (int o = 0; o < n; o++)
            {
                ushort t = i.Operand(o);
                if (t < _pure) continue;
                if (_def[t] < 0) bad[t] = true;
                _lastUse[t] = k;
            }
            if (IR.PreparedBlock.Defines(i.Op) && i.Dst >= _pure)
            {
                if (_def[i.Dst] >= 0) bad[i.Dst] = true;
                _def[i.Dst] = k;
            }
        }
    }

    // Linear scan over the block: a temp defined once, read after its definition and not simply handed to the next op in
    // rax gets a free register for its whole life (first come, first served; the rest stay in the frame). Around the ops
    // the managed side performs they go through the frame (SpillFor, ReloadAfter).
    void AllocateRegisters(ReadOnlySpan<IrInstr> code)
    {
        _registerTemps.Clear();
        var owner = _owner;
        for (int k = 0; k < owner.Length; k++) owner[k] = ushort.MaxValue;
        ReserveCarriedRegisters(owner);
        for (int k = 0; k < code.Length; k++)
        {
            ref readonly var i = ref code[k];
            if (!IR.PreparedBlock.Defines(i.Op) || i.Dst < _pure) continue;
            int t = i.Dst;
            if (_inFrame[t] || _lastUse[t] <= k || IsCarriedTemp(t) || IsFinalInPlace(t)) continue;
            // A temp the next op alone takes already lives in rax only.
            if (NextOpAloneTakes(k, (ushort)t)) continue;
            int free = -1, longest = -1;
            for (int r = 0; r < TempRegisters.Length; r++)
            {
                if (IsCarriedRegister(r)) continue;
                if (owner[r] == ushort.MaxValue || _lastUse[owner[r]] < k || (_lastUse[owner[r]] == k && ReadsOperandsFirst(i.Op)))
                {
                    free = r;
                    break;
                }
                if (longest < 0 || _lastUse[owner[r]] > _lastUse[owner[longest]]) longest = r;
            }
            if (free < 0)
            {
                // All taken: the temp living longest gives its register up (for its whole life) to this one if this
                // one dies sooner (Poletto and Sarkar's linear scan): short chains of values keep to registers, where
                // a round trip through the frame would add store-to-load latency to every link (sha256's rounds).
                if (_lastUse[owner[longest]] <= _lastUse[t]) continue;
                _reg[owner[longest]] = Register.None;
                free = longest;
            }
            owner[free] = (ushort)t;
            _reg[t] = TempRegisters[free];
        }
        // The temps that kept their register, in order of definition (the carried ones, defined before the first op, are listed).
        for (int k = 0; k < code.Length; k++)
        {
            ref readonly var i = ref code[k];
            if (IR.PreparedBlock.Defines(i.Op) && i.Dst >= _pure && _def[i.Dst] == k && _reg[i.Dst] != Register.None)
                _registerTemps.Add(i.Dst);
        }
    }

    // Ops whose code reads all their operands before it writes the result's register, which can then be one of an
    // operand that dies there (x = x + y in one add).
    static bool ReadsOperandsFirst(IrOp op) => op is IrOp.Mov or IrOp.Add or IrOp.Sub or IrOp.And or IrOp.Or or IrOp.Xor
        or IrOp.Mul or IrOp.Shl or IrOp.Shr or IrOp.Sar or IrOp.Rol or IrOp.Ror or IrOp.Neg or IrOp.Not or IrOp.ZExt
        or IrOp.SExt or IrOp.Bswap or IrOp.CmpEq or IrOp.CmpNe or IrOp.CmpLtU or IrOp.CmpLeU or IrOp.CmpLtS
        or IrOp.CmpLeS or IrOp.Select or IrOp.Load;

    // Before op k goes to the managed side: the register temps it may read (live into k) go to the frame.
    void SpillFor(int k)
    {
        for (int n = 0; n < _registerTemps.Count; n++)
        {
            int t = _registerTemps[n];
            if (_def[t] < k && _lastUse[t] >= k) E(Instruction.Create(Code.Mov_rm64_r64, Frame((ushort)t), _reg[t]));
        }
    }

    // After the managed side performed op k: the register temps live past it (its result included) come back from the frame.
    bool ReloadAfter(int k, bool emit)
    {
        bool any = false;
        for (int n = 0; n < _registerTemps.Count; n++)
        {
            int t = _registerTemps[n];
            if (_def[t] > k || _lastUse[t] <= k) continue;
            any = true;
            if (emit) E(Instruction.Create(Code.Mov_r64_rm64, _reg[t], Frame((ushort)t)));
        }
        return any;
    }
}
