using Iced.Intel;
using UserEmu.Cpu.X86;
using UserEmu.Engine;
using UserEmu.IR;

namespace UserEmu.Frontend.X86;

/// <summary>Signature of an instruction family's lowering routine: append IR for <see cref="X86Emitter.Insn"/>.</summary>
public delegate void InsnEmitter(X86Emitter e);

/// <summary>Lowers one x86-64 instruction at a time to IR: operand access, lazy flags, stack, exits.</summary>
/// <remarks>
/// Rule for precise faults: an emitter performs every guest memory access (and helper call) that can fault
/// before it writes any register, flag or RIP state, so a fault leaves the state as it was before the instruction.
/// </remarks>
public sealed partial class X86Emitter
{
    public readonly IrBuilder B = new();
    /// <summary>The instruction being lowered.</summary>
    public Instruction Insn;
    /// <summary>Its address and the address of the next instruction.</summary>
    public ulong Pc, NextPc;
    public Vcpu Cpu = null!;

    ushort _ea;
    bool _eaValid;
    int _sideExits;
    // A block with this many temps ends at its conditional branch: its fall-through path would only be cut short.
    const int MaxSideExitTemps = 300;
    long _insnIndex;

    /// <summary>The guest PC the block being translated starts at.</summary>
    public ulong BlockStart;
    /// <summary>Set by a jcc back to code that returns to <see cref="BlockStart"/>: where translation goes on (0: nowhere; see <see cref="LoopTrace"/>).</summary>
    public ulong FollowAt;
    // Whether the block follows a loop trace already (one per block).
    bool _traced;

    internal void BeginBlock(Vcpu cpu, ulong pc)
    {
        Cpu = cpu;
        B.Reset();
        BlockStart = pc;
        FollowAt = 0;
        _traced = false;
        _sideExits = cpu.Process.Options.SideExits;
        _cc.Known = false;
        _mmxCheckedUpTo = 0;
    }

    internal void Begin(Vcpu cpu, in Instruction insn)
    {
        Cpu = cpu;
        Insn = insn;
        Pc = insn.IP;
        NextPc = insn.NextIP;
        _eaValid = false;
        _insnIndex = -1;
        B.InsnStart(Pc);
    }

    /// <summary>Index of the current instruction in <see cref="InsnTable"/>, for helpers that decode operands at run time.</summary>
    public long InsnIndex => _insnIndex >= 0 ? _insnIndex : (_insnIndex = InsnTable.Add(Insn));

    // ---- general registers -------------------------------------------------------------------

    /// <summary>Index 0..15 of the 64-bit register containing <paramref name="r"/>.</summary>
    public static int GprIndex(Register r)
    {
        int index = RegisterFacts.GprIndex(r);
        // State offsets come from this index: a segment, control or vector register here would address the wrong state.
        if (index < 0) throw new InvalidOperationException($"{r} is not a general-purpose register");
        return index;
    }

    static bool IsHighByte(Register r) => r is Register.AH or Register.CH or Register.DH or Register.BH;

    /// <summary>Value of a general register of any width, zero-extended.</summary>
    public ushort GetReg(Register r)
    {
        int size = RegisterFacts.Size(r);
        if (IsHighByte(r))
            return B.ZExt(B.ShrImm(B.LoadState(CpuState.GprOffset(r - Register.AH), 8), 8), 1);
        if (r.IsSegmentRegister()) return B.Const(SegmentSelector(r));
        return B.LoadState(CpuState.GprOffset(GprIndex(r)), size);
    }

    /// <summary>The selectors a 64-bit Linux process runs with (__USER_CS, __USER_DS; the others null).</summary>
    static long SegmentSelector(Register r) => r switch { Register.CS => 0x33, Register.SS => 0x2b, _ => 0 };

    /// <summary>Writes a general register with x86-64 semantics (32-bit writes zero the upper half; 8/16-bit writes merge).</summary>
    public void SetReg(Register r, ushort value)
    {
        if (IsHighByte(r))
        {
            MergeGpr(CpuState.GprOffset(r - Register.AH), 8, 1, value);
            return;
        }
        SetGpr(GprIndex(r), RegisterFacts.Size(r), value);
    }

    public ushort GetGpr(int index, int size = 8) => B.LoadState(CpuState.GprOffset(index), size);

    /// <summary>Writes a general register by index with the same width rules as <see cref="SetReg"/> (no high-byte forms).</summary>
    public void SetGpr(int index, int size, ushort value)
    {
        int off = CpuState.GprOffset(index);
        if (size == 4) B.StoreState(off, 8, B.ZExt(value, 4));
        else if (size == 8) B.StoreState(off, 8, value);
        else MergeGpr(off, 0, size, value);
    }

    // An 8- or 16-bit write as a whole-register store of the merged value: a narrow store that a wider read of the
    // register follows (in this block or the next) cannot be forwarded by the host's store buffer (a stall of ~10
    // cycles per iteration in crc32's `mov (%rsi),%dil; xor %eax,%edi`), and StateForwarding can then forward it.
    void MergeGpr(int off, int shift, int size, ushort value)
    {
        long mask = (size == 1 ? 0xffL : 0xffffL) << shift;
        ushort part = B.ShlImm(B.ZExt(value, size), shift);
        B.StoreState(off, 8, B.Or(B.AndImm(B.LoadState(off, 8), ~mask), part));
    }

    // ---- operands ----------------------------------------------------------------------------

    /// <summary>Width in bytes of operand <paramref name="n"/>.</summary>
    public int OpSize(int n)
    {
        switch (Insn.GetOpKind(n))
        {
            case OpKind.Register: return RegisterFacts.Size(Insn.GetOpRegister(n));
            case OpKind.Memory: return Insn.MemorySize.GetSize();
            case OpKind.Immediate8: return 1;
            case OpKind.Immediate16: return 2;
            case OpKind.Immediate32: return 4;
            default: return n > 0 ? OpSize(0) : 8;
        }
    }

    public bool IsMem(int n) => Insn.GetOpKind(n) == OpKind.Memory;
    public bool IsReg(int n) => Insn.GetOpKind(n) == OpKind.Register;
    public bool IsImm(int n) => Insn.GetOpKind(n) is >= OpKind.Immediate8 and <= OpKind.Immediate32to64;

    /// <summary>Effective address of the instruction's memory operand (including FS/GS base), computed once per instruction.</summary>
    public ushort Ea()
    {
        if (_eaValid) return _ea;
        ushort ea;
        if (Insn.IsIPRelativeMemoryOperand)
        {
            ea = B.Const(Insn.IPRelativeMemoryAddress);
        }
        else
        {
            ea = B.Const((long)Insn.MemoryDisplacement64);
            if (Insn.MemoryBase != Register.None) ea = B.Add(ea, GetReg(Insn.MemoryBase));
            if (Insn.MemoryIndex != Register.None)
            {
                ushort idx = GetReg(Insn.MemoryIndex);
                int scale = Insn.MemoryIndexScale;
                ea = B.Add(ea, scale == 1 ? idx : B.ShlImm(idx, System.Numerics.BitOperations.Log2((uint)scale)));
            }
            // A 0x67 prefix (32-bit address size) shows up as 32-bit base/index registers.
            if (RegisterFacts.Size(Insn.MemoryBase) == 4 || RegisterFacts.Size(Insn.MemoryIndex) == 4)
                ea = B.ZExt(ea, 4);
        }
        var seg = Insn.MemorySegment;
        if (seg == Register.FS) ea = B.Add(ea, B.LoadState(CpuState.OffFsBase, 8));
        else if (seg == Register.GS) ea = B.Add(ea, B.LoadState(CpuState.OffGsBase, 8));
        _ea = ea;
        _eaValid = true;
        return ea;
    }

    /// <summary>Immediate operand <paramref name="n"/> as Iced sign-extends it to the operation size.</summary>
    public ulong ImmValue(int n) => Insn.GetImmediate(n);

    /// <summary>Operand <paramref name="n"/> zero-extended from its width <paramref name="size"/> (immediates truncated to it).</summary>
    public ushort Read(int n, int size)
    {
        switch (Insn.GetOpKind(n))
        {
            case OpKind.Register: return GetReg(Insn.GetOpRegister(n));
            case OpKind.Memory: return Locked ? HelperImm(LockedAccessHelpers.LoadLinked, size, Ea()) : B.Load(Ea(), size);
            default:
                ulong v = Insn.GetImmediate(n);
                if (size < 8) v &= (1UL << (size * 8)) - 1;
                return B.Const(v);
        }
    }

    public ushort Read(int n) => Read(n, OpSize(n));

    /// <summary>Writes operand <paramref name="n"/> (register with x86-64 width rules, or memory).</summary>
    public void Write(int n, ushort value, int size)
    {
        if (Insn.GetOpKind(n) == OpKind.Register) SetReg(Insn.GetOpRegister(n), value);
        else if (Locked) HelperImm(LockedAccessHelpers.StoreConditional, size, Ea(), value);
        else B.Store(Ea(), value, size);
    }

    /// <summary>
    /// A LOCK-prefixed instruction, or xchg (always locked with memory): its memory operand is read and written as an
    /// atomic pair (<see cref="LockedAccessHelpers"/>), so every lockable family is atomic through Read/Write alone.
    /// </summary>
    public bool Locked => Insn.HasLockPrefix || Insn.Mnemonic == Mnemonic.Xchg;

    public void Write(int n, ushort value) => Write(n, value, OpSize(n));

    // ---- stack -------------------------------------------------------------------------------

    /// <summary>Pushes <paramref name="value"/>: store first, then RSP, so a faulting push changes nothing.</summary>
    public void Push(ushort value, int size = 8)
    {
        ushort sp = B.AddImm(GetGpr(CpuState.RSP), -size);
        B.Store(sp, value, size);
        SetGpr(CpuState.RSP, 8, sp);
    }

    /// <summary>Loads the top of stack; the caller commits with <see cref="CommitPop"/> after its own faulting work.</summary>
    public ushort PeekStack(int size, out ushort newSp)
    {
        ushort sp = GetGpr(CpuState.RSP);
        ushort v = B.Load(sp, size);
        newSp = B.AddImm(sp, size);
        return v;
    }

    public void CommitPop(ushort newSp) => SetGpr(CpuState.RSP, 8, newSp);

    // ---- helpers and exits -------------------------------------------------------------------

    /// <summary>Calls a helper with an explicit imm.</summary>
    /// <remarks>
    /// Helpers may change flags in the state, so in-block flag knowledge is dropped; not for those that touch only
    /// vector state (and memory, or MXCSR), which glibc's AVX2 string functions call between an inc and its jcc.
    /// </remarks>
    public ushort HelperImm(HelperFn fn, long imm, ushort a = 0, ushort b = 0)
    {
        ushort id = HelperTable.Id(fn);
        if (!HelperTable.WritesOnlyVectorState(id)) _cc.Known = false;
        return B.Call(id, a, b, imm);
    }

    /// <summary>Raises a synchronous signal at this instruction and ends the block.</summary>
    public void RaiseSignal(int signal, int code)
    {
        B.Call(SignalHelpers.Raise, 0, 0, InsnIndex | ((long)signal << 40) | ((long)code << 48));
        B.Jump(Pc);
    }

    /// <summary>SIGSEGV for an instruction fetch from <paramref name="address"/> (not executable or not mapped).</summary>
    public void RaiseFetchFault(ulong address, int code)
    {
        B.Call(SignalHelpers.FetchFault, B.Const(address), 0, code);
        B.Jump(Pc);
    }

    /// <summary>SIGILL for an instruction UserEmu does not implement (names it in the message).</summary>
    public void Unsupported()
    {
        B.Call(SignalHelpers.Unsupported, 0, 0, InsnIndex);
        B.Jump(Pc);
    }

    public void EndJump(ulong target) => B.Jump(target);
    public void EndIndirect(ushort target) => B.JumpIndirect(target);
    /// <summary>Ends a call that pushed <see cref="NextPc"/>.</summary>
    public void EndCall(ulong target) => B.Jump(target, NextPc);
    /// <summary>Ends a call through <paramref name="target"/> that pushed <see cref="NextPc"/>.</summary>
    public void EndIndirectCall(ushort target) => B.JumpIndirect(target, NextPc);
    /// <summary>Ends a ret to <paramref name="target"/>.</summary>
    public void EndReturn(ushort target) => B.JumpIndirect(target, isReturn: true);
    /// <summary>
    /// Ends a conditional branch to <paramref name="taken"/>, or, while the block may take another side exit, leaves by
    /// a side exit there and goes on with the fall-through path in the same block (a superblock).
    /// </summary>
    /// <param name="mayTrace">A jcc (not loop or jrcxz): taken back to code that returns to this block's start, its
    /// taken path is translated here (<see cref="LoopTrace"/>).</param>
    public void EndBranch(ushort cond, ulong taken, bool mayTrace = false)
    {
        bool sideExitLeft = B.SideExits < _sideExits && B.TempCount < MaxSideExitTemps;
        // Forward branches only: a jcc back is a loop's, whose taken path is the hot one (the loop exit after it would
        // only add to the loop body's registers and stores). In a loop trace a jcc to the block's start is forward too.
        if (taken > Pc && taken != BlockStart && sideExitLeft) B.SideExit(cond, taken);
        else if (mayTrace && sideExitLeft && !_traced && taken < BlockStart && LoopTrace.ReturnsTo(Cpu.Memory, taken, BlockStart))
        {
            // The loop goes on at `taken`, whose code comes back here: the loop exit is the side exit, and the block
            // continues there, to end at the jcc back to its start (a block looping on itself, NativeBlockCompiler.LoopCarried).
            B.SideExit(B.Not01(cond), NextPc);
            FollowAt = taken;
            _traced = true;
        }
        else B.Branch(cond, taken, NextPc);
    }
}
