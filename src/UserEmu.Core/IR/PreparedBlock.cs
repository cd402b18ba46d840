using System.Runtime.InteropServices;
using UserEmu.Optimizer;

namespace UserEmu.IR;

/// <summary>The form of a block's optimised IR that the backends run and the translation cache keeps: only the ops that do work, over renumbered temps whose constants come from a template.</summary>
/// <remarks>
/// Constants are a fifth of the ops a cold program runs and instruction markers another sixth (python3, -d stats).
/// Here neither is an op: a Load, Store or Call of an instruction that may fault carries its guest PC instead
/// (<see cref="IrInstr.Aux"/> = 1, PC in <see cref="IrInstr.Imm2"/>) and records it in RIP only before it can
/// fault (the IL backend: on the slow path of a memory access). the temps defined only by a Const come first (0 .. PureConstants-1),
/// then the temps read before they are written (which read as 0, as from a cleared array). The interpreter starts
/// each run by copying <see cref="Constants"/> over them instead of clearing all temps; the IL backend pushes the
/// constants as literals, which saves RyuJIT a local and a store each. Only this form is kept per block.
/// </remarks>
public class PreparedBlock
{
    /// <summary>The ops in <see cref="PackedIr"/>'s encoding: every translated block is kept, most of them run as native code, which reads its IR only for an op it hands back.</summary>
    /// <remarks>The template's constants come first, as 8-byte values (<see cref="Constants"/>): an array of their own cost 32 bytes a block.
    /// <para>A translation block whose native code made its IR redundant may drop this and pack a translation again when
    /// the IR is needed (<see cref="Engine.TranslationBlock.Restore"/>).</para></remarks>
    public byte[] PackedCode => Volatile.Read(ref _packedCode) ?? Restore();
    private protected byte[]? _packedCode;

    /// <summary>The packed ops after they were dropped: only a block that can translate itself again drops them.</summary>
    private protected virtual byte[] Restore() => throw new InvalidOperationException($"block 0x{GuestPc:x} has no IR");

    /// <summary>The packed ops, after the constants.</summary>
    internal ReadOnlySpan<byte> PackedOps => PackedCode.AsSpan(ConstantCount * sizeof(ulong));
    public int OpCount => _opCount;
    /// <summary>Set by <see cref="DecodedBlocks.ByPc"/> the first time it hands out the block's ops, from its first-run buffer (threads may race on it: a second first-run decoding is harmless).</summary>
    internal bool DecodedBefore;

    /// <summary>
    /// The ops, decoded into an array of this thread's with exactly <see cref="OpCount"/> elements: valid until the
    /// thread reads the code of another block with as many ops (what holds several blocks' code at once copies it:
    /// <see cref="CopyCode"/>). For compilers and tools; what runs the ops reads <see cref="Ops"/>.
    /// </summary>
    public IrInstr[] Code => DecodedBlocks.ByOpCount(this);

    /// <summary>The ops for running them (the interpreter, an op native code hands back): decoded into this thread's buffer for the block's PC, valid until the thread runs another block with that buffer.</summary>
    public ReadOnlySpan<IrInstr> Ops => DecodedBlocks.ByPc(this);

    /// <summary>The ops in an array of the caller's own.</summary>
    public IrInstr[] CopyCode()
    {
        var ops = new IrInstr[OpCount];
        PackedIr.Unpack(PackedOps, ops);
        return ops;
    }

    public int TempCount => _tempCount;
    /// <summary>How many temps the template fills.</summary>
    public int ConstantCount => _constantCount;
    /// <summary>Initial values of temps 0 .. Constants.Length-1: first the pure constants, then zeros.</summary>
    public ReadOnlySpan<ulong> Constants => MemoryMarshal.Cast<byte, ulong>(PackedCode.AsSpan(0, ConstantCount * sizeof(ulong)));
    /// <summary>Temps 0 .. PureConstants-1 hold their <see cref="Constants"/> value throughout the block.</summary>
    public int PureConstants => _pureConstants;
    public ulong GuestPc { get; }
    /// <summary>One past the last guest byte translated.</summary>
    public ulong GuestEnd => GuestPc + _guestLength;
    readonly uint _guestLength;
    // 16 bits each (a block has at most 64 instructions and ~800 temps, X86Translator): cc1 keeps ~120k blocks.
    readonly ushort _opCount, _tempCount, _constantCount, _pureConstants;
    /// <summary>The lazy-flag state is dead at the block's direct exits (<see cref="IrBlock.FlagsDeadAtExit"/>).</summary>
    public bool FlagsDeadAtExit { get; }

    public static PreparedBlock Prepare(IrBlock block) => new(block);

    /// <summary>Prepares <paramref name="block"/>'s ops (a translation block is its prepared block, one object per block).</summary>
    public PreparedBlock(IrBlock block)
    {
        var packed = Pack(block, out var shape, out var code);
        _packedCode = packed.ToArray();
        _opCount = checked((ushort)shape.OpCount);
        _tempCount = checked((ushort)shape.TempCount);
        _constantCount = checked((ushort)shape.ConstantCount);
        _pureConstants = checked((ushort)shape.PureConstants);
        GuestPc = block.GuestPc;
        _guestLength = checked((uint)(block.GuestEnd - block.GuestPc));
        FlagsDeadAtExit = block.FlagsDeadAtExit;
        DecodedBlocks.Prime(this, code, shape.OpCount);
    }

    /// <summary>A block prepared in an earlier run (the persistent code cache): its packed ops and counts as they were stored.</summary>
    private protected PreparedBlock(ulong pc, uint guestLength, byte[]? packed, int opCount, int tempCount, int constantCount, int pureConstants, bool flagsDeadAtExit)
    {
        _packedCode = packed;
        _opCount = checked((ushort)opCount);
        _tempCount = checked((ushort)tempCount);
        _constantCount = checked((ushort)constantCount);
        _pureConstants = checked((ushort)pureConstants);
        GuestPc = pc;
        _guestLength = guestLength;
        FlagsDeadAtExit = flagsDeadAtExit;
    }

    /// <summary>The <see cref="PackedCode"/> that preparing <paramref name="block"/> would give, in this thread's buffer (valid until it packs again).</summary>
    internal static ReadOnlySpan<byte> PackOnly(IrBlock block) => Pack(block, out _, out _);

    readonly record struct Shape(int OpCount, int TempCount, int ConstantCount, int PureConstants);

    // The packed ops (in PackedIr's thread buffer), their counts, and the ops themselves (in this thread's scratch array).
    static ReadOnlySpan<byte> Pack(IrBlock block, out Shape shape, out IrInstr[] code)
    {
        var scratch = t_scratch ??= new Scratch();
        var ops = block.Ops;
        scratch.Reserve(block.TempCount, ops.Length);
        var flags = scratch.Flags.AsSpan(0, block.TempCount);
        var value = scratch.Value;
        // In the template: temps whose only definition is a Const (that op is dropped), and temps read before any
        // definition (they read as 0, as from a cleared array; their definitions stay ops). One pass: a Const's drop is
        // taken back at a second definition of its temp (a pass counting definitions first was a seventh of Prepare).
        int markers = 0;
        foreach (ref readonly var i in ops)
        {
            if (i.Op is IrOp.InsnStart or IrOp.Nop)
            {
                markers++;
                continue;
            }
            int n = DeadTemps.TempOperands(i.Op);
            if (n >= 1) Read(ref flags[i.A]);
            if (n >= 2) Read(ref flags[i.B]);
            if (n >= 3) Read(ref flags[i.C]);
            if (!Defines(i.Op)) continue;
            ref byte f = ref flags[i.Dst];
            if ((f & Scratch.Written) != 0)
            {
                if ((f & Scratch.DropConst) != 0) f &= unchecked((byte)~(Scratch.InTemplate | Scratch.DropConst));
            }
            else if (i.Op == IrOp.Const && (f & Scratch.InTemplate) == 0)
            {
                f |= Scratch.InTemplate | Scratch.DropConst;
                value[i.Dst] = (ulong)i.Imm;
            }
            f |= Scratch.Written;
        }

        // The temps the kept ops mention, by class: the pure constants (a dropped Const's temp where something reads
        // it), then the other template temps, then the rest. Each is numbered within its class in the order of first
        // use, so that the ops are numbered, copied and packed in one more pass. A translation leaves most of its temps
        // dead (python3: loops over every temp were a sixth of the vCPU's engine time), and the prepared block's temp
        // count sizes the interpreter's frame and native code's live ranges.
        // Without branches: the flag combinations follow no pattern the host could predict.
        int pure = 0, template = 0, mentioned = 0, droppedConsts = 0;
        foreach (byte f in flags)
        {
            int dropped = f >> 2 & 1; // DropConst: its Const, the only definition, is dropped
            int isMentioned = (f >> 4 | (f & ~(f >> 2))) & 1; // Read, or Written and not dropped
            droppedConsts += dropped;
            mentioned += isMentioned;
            pure += dropped & isMentioned;
            template += (f >> 1 & 1 & ~dropped) & isMentioned; // InTemplate and not dropped
        }
        int rest = mentioned - pure - template;
        int count = ops.Length - markers - droppedConsts;
        if (count == 0 || ops[^1].Op is not (IrOp.Jump or IrOp.JumpIndirect or IrOp.Branch or IrOp.Syscall))
            throw new InvalidOperationException($"block 0x{block.GuestPc:x} has no exit");
        // The packed form: the template's values (Number fills the pure constants' in; the rest are zeros), the op count, the ops.
        int constantBytes = (pure + template) * sizeof(ulong);
        var buffer = PackedIr.Buffer(constantBytes + PackedIr.MostBytes(count));
        var constants = MemoryMarshal.Cast<byte, ulong>(buffer[..constantBytes]);
        constants[pure..].Clear();
        int at = PackedIr.WriteCount(buffer, constantBytes, count);
        scratch.Begin(pure, template);
        // An array, not a List<IrInstr>: the framework's List over a struct of ours is JIT-compiled at start-up.
        code = scratch.Code;
        int kept = 0;
        long faultPc = -1;
        foreach (ref readonly var op in ops)
        {
            if (op.Op == IrOp.InsnStart)
            {
                // The PC a fault must report moves onto the ops that can fault: they record it only when they do.
                faultPc = op.Aux != 0 ? op.Imm : -1;
                continue;
            }
            if (op.Op == IrOp.Nop || (op.Op == IrOp.Const && (flags[op.Dst] & Scratch.DropConst) != 0)) continue;
            // Changed in a local and stored once: reading fields back from a copy just stored whole stalled on
            // store-to-load forwarding.
            var i = op;
            if (i.Op is IrOp.Load or IrOp.Store or IrOp.Call && faultPc >= 0)
            {
                i.Aux = 1;
                // Blocks, loop traces included, lie within a few pages.
                i.FaultPcOffset = checked((short)(faultPc - (long)block.GuestPc));
            }
            int n = DeadTemps.TempOperands(i.Op);
            if (n >= 1) i.A = scratch.Number(i.A, constants);
            if (n >= 2) i.B = scratch.Number(i.B, constants);
            if (n >= 3) i.C = scratch.Number(i.C, constants);
            if (Defines(i.Op)) i.Dst = scratch.Number(i.Dst, constants);
            at = PackedIr.WriteOp(buffer, at, i);
            code[kept++] = i;
        }
        shape = new Shape(count, Math.Max(pure + template + rest, 1), pure + template, pure);
        return buffer[..at];
    }

    // Per-thread working arrays of Prepare, cleared for each block: they were most of what a translation allocated
    // besides the code itself (lua: 5.5 KB per block translated, all of it garbage but the prepared code).
    [ThreadStatic] static Scratch? t_scratch;

    // A temp read: in the template if nothing wrote it before.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    static void Read(ref byte f) => f |= (f & Scratch.Written) == 0 ? (byte)(Scratch.Read | Scratch.InTemplate) : Scratch.Read;

    sealed class Scratch
    {
        /// <summary>Per temp, bits: <see cref="Written"/> so far, <see cref="InTemplate"/>, <see cref="DropConst"/> (its only definition is a dropped Const), <see cref="Used"/> (numbered), <see cref="Read"/> (by any op). One array to clear where five bool arrays were.</summary>
        public byte[] Flags = [];
        public const byte Written = 1, InTemplate = 2, DropConst = 4, Used = 8, Read = 16;
        public ulong[] Value = [];
        public ushort[] FirstUse = [];
        public IrInstr[] Code = [];
        // The next number of each class: pure constants, other template temps, the rest.
        int _nextPure, _nextTemplate, _nextRest;

        /// <summary>Numbering starts: <paramref name="pure"/> pure constants come first, then <paramref name="template"/> other template temps.</summary>
        public void Begin(int pure, int template) => (_nextPure, _nextTemplate, _nextRest) = (0, pure, pure + template);

        /// <summary>Temp t's number, given at its first use (a pure constant's value goes into <paramref name="constants"/>).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public ushort Number(ushort t, Span<ulong> constants)
        {
            ref byte f = ref Flags[t];
            if ((f & Used) != 0) return FirstUse[t];
            f |= Used;
            int number;
            if ((f & DropConst) != 0)
            {
                constants[_nextPure] = Value[t];
                number = _nextPure++;
            }
            else if ((f & InTemplate) != 0) number = _nextTemplate++;
            else number = _nextRest++;
            return FirstUse[t] = (ushort)number;
        }

        public void Reserve(int temps, int ops)
        {
            if (Flags.Length < temps)
            {
                int n = Math.Max(temps, 2 * Flags.Length);
                Flags = new byte[n];
                Value = new ulong[n];
                FirstUse = new ushort[n];
            }
            else Array.Clear(Flags, 0, temps);
            if (Code.Length < ops) Code = new IrInstr[Math.Max(ops, 2 * Code.Length)];
        }
    }

    /// <summary>True for ops that write their Dst temp (the interpreter writes Dst for every one of them, helpers included).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool Defines(IrOp op) => op is not (IrOp.Nop or IrOp.InsnStart or IrOp.StoreState or IrOp.Store
        or IrOp.Jump or IrOp.JumpIndirect or IrOp.Branch or IrOp.Syscall or IrOp.SideExit);
}
