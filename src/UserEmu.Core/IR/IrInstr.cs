using System.Runtime.InteropServices;

namespace UserEmu.IR;

/// <summary>One IR operation; a plain struct so blocks are flat arrays (no per-op allocation).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct IrInstr
{
    public IrOp Op;
    /// <summary>Operand width in bytes for sized ops.</summary>
    public byte Size;
    /// <summary>Small op-specific flag (InsnStart: can fault; Load, Store, Call in a <see cref="PreparedBlock"/>: Imm2 holds the guest PC to report if it faults).</summary>
    public byte Aux;
    public ushort Dst, A, B, C;
    /// <summary>Helper id for <see cref="IrOp.Call"/>.</summary>
    public ushort Helper;
    public long Imm;
    public long Imm2;

    public override readonly string ToString() => IrPrinter.Format(this);
}
