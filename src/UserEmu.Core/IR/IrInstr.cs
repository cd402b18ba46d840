using System.Runtime.InteropServices;

namespace UserEmu.IR;

/// <summary>One IR operation; a plain struct so blocks are flat arrays (no per-op allocation).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct IrInstr
{
    public IrOp Op;
    /// <summary>Operand width in bytes for sized ops.</summary>
    public byte Size;
    /// <summary>Small op-specific flag (InsnStart: can fault; Load, Store, Call in a <see cref="PreparedBlock"/>: <see cref="FaultPcOffset"/> holds the guest PC to report if it faults).</summary>
    public byte Aux;
    public ushort Dst, A, B, C;
    /// <summary>Helper id for <see cref="IrOp.Call"/>.</summary>
    public ushort Helper;
    public long Imm;

    // 24 bytes, not 32: less to decode into and copy (translated blocks keep their IR in PackedIr's encoding).

    /// <summary>
    /// <see cref="IrOp.Branch"/>: the target when A is 0, a canonical address kept in the 48 bits of B, C and Helper,
    /// which a branch does not otherwise use (sign-extended from bit 47).
    /// </summary>
    public long Imm2
    {
        readonly get => (long)((ulong)B | (ulong)C << 16 | (ulong)Helper << 32) << 16 >> 16;
        set
        {
            B = (ushort)value;
            C = (ushort)(value >> 16);
            Helper = (ushort)(value >> 32);
        }
    }

    /// <summary>
    /// <see cref="IrOp.Jump"/> or <see cref="IrOp.JumpIndirect"/> ending a guest call: the return address it pushed, kept
    /// as <see cref="Imm2"/> (neither op reads B, C or Helper); 0 for any other jump. Native code pairs the call with the
    /// callee's return (<see cref="IsReturn"/>) as a host call and ret, which the host predicts.
    /// </summary>
    public ulong ReturnAddress
    {
        readonly get => Op is IrOp.Jump or IrOp.JumpIndirect ? (ulong)Imm2 : 0;
        set => Imm2 = (long)value;
    }

    /// <summary><see cref="IrOp.JumpIndirect"/> of a guest ret (Aux 1).</summary>
    public readonly bool IsReturn => Op == IrOp.JumpIndirect && Aux == 1;

    /// <summary>Load, Store and Call in a <see cref="PreparedBlock"/> with Aux 1: the guest PC to report if it faults, as an offset from the block's start (in C, which these ops do not otherwise use).</summary>
    /// <remarks>Signed: a loop trace translates instructions before its block's start (<see cref="Frontend.X86.LoopTrace"/>).</remarks>
    public short FaultPcOffset
    {
        readonly get => (short)C;
        set => C = (ushort)value;
    }

    /// <summary>The guest PC to report if this op faults, in a block starting at <paramref name="blockPc"/>.</summary>
    public readonly ulong FaultPc(ulong blockPc) => (ulong)((long)blockPc + FaultPcOffset);

    /// <summary>Temp operand <paramref name="n"/> (0: A, 1: B, 2: C), of the <c>DeadTemps.TempOperands</c> the op has.</summary>
    public readonly ushort Operand(int n) => n == 0 ? A : n == 1 ? B : C;

    public override readonly string ToString() => IrPrinter.Format(this);
}
