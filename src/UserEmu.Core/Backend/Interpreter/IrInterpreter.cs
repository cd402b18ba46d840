using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using UserEmu.Cpu.X86;
using UserEmu.Engine;
using UserEmu.IR;
using UserEmu.Memory;

namespace UserEmu.Backend.Interpreter;

/// <summary>Runs a block's IR directly: the cold tier (no JIT cost) and the reference the IL backend is tested against.</summary>
public static unsafe class IrInterpreter
{
    /// <summary>Prepares and runs a block (tests and tools; the dispatch loop keeps the prepared form).</summary>
    public static BlockExit Run(IrBlock block, Vcpu cpu) => Run(PreparedBlock.Prepare(block), cpu);

    // Temps are not cleared: the template supplies every temp read before it is written.
    [SkipLocalsInit]
    public static BlockExit Run(PreparedBlock block, Vcpu cpu)
    {
        ulong* t = stackalloc ulong[block.TempCount];
        LoadTemplate(block, t);
        return RunFrom(block, 0, t, cpu);
    }

    /// <summary>
    /// Runs the block from op <paramref name="start"/> on temps <paramref name="t"/> that hold every value live into
    /// it: the rest of a native block that left mid-way (an access group that failed its check). The constants are put
    /// back first, since native code keeps them in its instructions.
    /// </summary>
    public static BlockExit Resume(PreparedBlock block, int start, ulong* t, Vcpu cpu)
    {
        CopyPureConstants(block, t);
        return RunFrom(block, start, t, cpu);
    }

    static void CopyPureConstants(PreparedBlock block, ulong* t)
    {
        if (block.PureConstants != 0)
            Unsafe.CopyBlockUnaligned(ref *(byte*)t, ref Unsafe.As<ulong, byte>(ref MemoryMarshal.GetReference(block.Constants)), (uint)block.PureConstants * 8);
    }

    static BlockExit RunFrom(PreparedBlock block, int start, ulong* t, Vcpu cpu)
    {
        byte* st = (byte*)cpu.State;
        var mem = cpu.Memory;
        ref IrInstr code = ref MemoryMarshal.GetReference(block.Ops);
        // Every prepared block ends in an exit op, so the loop needs no bound.
        for (int pc = start; ; pc++)
        {
            ref readonly IrInstr i = ref Unsafe.Add(ref code, pc);
            switch (i.Op)
            {
                case IrOp.Const: t[i.Dst] = (ulong)i.Imm; break;
                case IrOp.Mov: t[i.Dst] = t[i.A]; break;
                case IrOp.LoadState: t[i.Dst] = ReadSized(st + i.Imm, i.Size); break;
                case IrOp.StoreState: WriteSized(st + i.Imm, i.Size, t[i.A]); break;
                case IrOp.Add: t[i.Dst] = t[i.A] + t[i.B]; break;
                case IrOp.Sub: t[i.Dst] = t[i.A] - t[i.B]; break;
                case IrOp.And: t[i.Dst] = t[i.A] & t[i.B]; break;
                case IrOp.Or: t[i.Dst] = t[i.A] | t[i.B]; break;
                case IrOp.Xor: t[i.Dst] = t[i.A] ^ t[i.B]; break;
                case IrOp.Shl: t[i.Dst] = t[i.A] << (int)(t[i.B] & 63); break;
                case IrOp.Shr: t[i.Dst] = t[i.A] >> (int)(t[i.B] & 63); break;
                case IrOp.Sar: t[i.Dst] = (ulong)((long)t[i.A] >> (int)(t[i.B] & 63)); break;
                case IrOp.Rol: t[i.Dst] = IrSemantics.Rol(t[i.A], t[i.B], i.Size); break;
                case IrOp.Ror: t[i.Dst] = IrSemantics.Ror(t[i.A], t[i.B], i.Size); break;
                case IrOp.Mul: t[i.Dst] = t[i.A] * t[i.B]; break;
                case IrOp.MulHiU: t[i.Dst] = Math.BigMul(t[i.A], t[i.B], out _); break;
                case IrOp.MulHiS: t[i.Dst] = (ulong)Math.BigMul((long)t[i.A], (long)t[i.B], out _); break;
                case IrOp.Neg: t[i.Dst] = 0 - t[i.A]; break;
                case IrOp.Not: t[i.Dst] = ~t[i.A]; break;
                case IrOp.ZExt: t[i.Dst] = IrSemantics.ZExt(t[i.A], i.Size); break;
                case IrOp.SExt: t[i.Dst] = IrSemantics.SExt(t[i.A], i.Size); break;
                case IrOp.Bswap: t[i.Dst] = IrSemantics.Bswap(t[i.A], i.Size); break;
                case IrOp.CmpEq: t[i.Dst] = t[i.A] == t[i.B] ? 1UL : 0; break;
                case IrOp.CmpNe: t[i.Dst] = t[i.A] != t[i.B] ? 1UL : 0; break;
                case IrOp.CmpLtU: t[i.Dst] = t[i.A] < t[i.B] ? 1UL : 0; break;
                case IrOp.CmpLeU: t[i.Dst] = t[i.A] <= t[i.B] ? 1UL : 0; break;
                case IrOp.CmpLtS: t[i.Dst] = (long)t[i.A] < (long)t[i.B] ? 1UL : 0; break;
                case IrOp.CmpLeS: t[i.Dst] = (long)t[i.A] <= (long)t[i.B] ? 1UL : 0; break;
                case IrOp.Select: t[i.Dst] = t[i.A] != 0 ? t[i.B] : t[i.C]; break;
                case IrOp.Load: Load(in i, t, cpu, mem, block.GuestPc); break;
                case IrOp.Store: Store(in i, t, cpu, mem, block); break;
                case IrOp.Call: Call(in i, t, cpu, block.GuestPc); break;
                case IrOp.PureCall: PureCall(in i, t); break;
                case IrOp.Jump: cpu.State->Rip = (ulong)i.Imm; return BlockExit.Next;
                case IrOp.JumpIndirect: cpu.State->Rip = t[i.A]; return BlockExit.Next;
                case IrOp.Branch: cpu.State->Rip = (ulong)(t[i.A] != 0 ? i.Imm : i.Imm2); return BlockExit.Next;
                case IrOp.Syscall: cpu.State->Rip = (ulong)i.Imm; return BlockExit.Syscall;
                case IrOp.SideExit:
                    if (t[i.A] == 0) break;
                    cpu.State->Rip = (ulong)i.Imm;
                    return BlockExit.Next;
                default: throw new InvalidOperationException($"IR op {i.Op} not handled by the interpreter");
            }
        }
    }

    /// <summary>Fills a block's temps from its constant template (every temp read before it is written).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadTemplate(PreparedBlock block, ulong* t)
    {
        var constants = block.Constants;
        if (constants.Length != 0)
            Unsafe.CopyBlockUnaligned(ref *(byte*)t, ref Unsafe.As<ulong, byte>(ref MemoryMarshal.GetReference(constants)), (uint)constants.Length * 8);
    }

    /// <summary>Runs op <paramref name="k"/> of <paramref name="block"/> (a Load, Store, Call, PureCall or LoadState) over <paramref name="t"/>: the ops the native tier hands back (a helper, an access whose inline check failed, a read of MXCSR).</summary>
    public static void RunOne(PreparedBlock block, int k, ulong* t, Vcpu cpu)
    {
        // Native code keeps the block's constants in its instructions, not in the frame.
        CopyPureConstants(block, t);
        ref readonly var i = ref block.Ops[k];
        switch (i.Op)
        {
            case IrOp.Load: Load(in i, t, cpu, cpu.Memory, block.GuestPc); break;
            case IrOp.Store: Store(in i, t, cpu, cpu.Memory, block); break;
            case IrOp.Call: Call(in i, t, cpu, block.GuestPc); break;
            case IrOp.PureCall: PureCall(in i, t); break;
            case IrOp.LoadState: t[i.Dst] = ReadSized((byte*)cpu.State + i.Imm, i.Size); break;
            default: throw new InvalidOperationException($"IR op {i.Op} is not one native code hands back");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Load(in IrInstr i, ulong* t, Vcpu cpu, GuestAddressSpace mem, ulong pc)
    {
        if (i.Aux != 0) cpu.State->Rip = i.FaultPc(pc);
        t[i.Dst] = mem.Read(t[i.A], i.Size);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store(in IrInstr i, ulong* t, Vcpu cpu, GuestAddressSpace mem, PreparedBlock block)
    {
        ulong a = t[i.A];
        if (i.Aux != 0)
        {
            ulong rip = i.FaultPc(block.GuestPc);
            cpu.State->Rip = rip;
            if (a < block.GuestEnd && a + (ulong)i.Size > rip && rip != cpu.AloneAt) RunAlone(cpu, mem, a, i.Size, rip);
        }
        mem.Write(a, i.Size, t[i.B]);
    }

    /// <summary>
    /// A store into the running block's own code, at or after the storing instruction: the rest of the block was
    /// translated from the old bytes (a program patching the instruction it runs next). As QEMU does, the instruction
    /// runs again by itself: the store is checked as it would be (a fault is the store's), which drops the translations
    /// of its pages, and the dispatcher translates the instruction alone (<see cref="Vcpu.AloneAt"/>), whose store then
    /// goes through. Nothing of the instruction was written before its store (faults are precise).
    /// </summary>
    static void RunAlone(Vcpu cpu, GuestAddressSpace mem, ulong a, int size, ulong rip)
    {
        mem.Check(a, (ulong)size, write: true);
        cpu.AloneAt = rip;
        throw new RetryInstructionException();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Call(in IrInstr i, ulong* t, Vcpu cpu, ulong pc)
    {
        if (i.Aux != 0) cpu.State->Rip = i.FaultPc(pc);
        t[i.Dst] = HelperTable.Function(i.Helper)(cpu, t[i.A], t[i.B], i.Imm);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void PureCall(in IrInstr i, ulong* t) => t[i.Dst] = HelperTable.PureFunction(i.Helper)(t[i.A], t[i.B], t[i.C], i.Imm);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static ulong ReadSized(byte* p, int size) => size switch
    {
        1 => *p,
        2 => Unsafe.ReadUnaligned<ushort>(p),
        4 => Unsafe.ReadUnaligned<uint>(p),
        _ => Unsafe.ReadUnaligned<ulong>(p),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void WriteSized(byte* p, int size, ulong v)
    {
        switch (size)
        {
            case 1: *p = (byte)v; break;
            case 2: Unsafe.WriteUnaligned(p, (ushort)v); break;
            case 4: Unsafe.WriteUnaligned(p, (uint)v); break;
            default: Unsafe.WriteUnaligned(p, v); break;
        }
    }
}
