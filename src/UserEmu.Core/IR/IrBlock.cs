namespace UserEmu.IR;

/// <summary>The IR of one translation block: straight-line code ending in exactly one exit op, with side exits (<see cref="IrOp.SideExit"/>) before it in a superblock.</summary>
public sealed class IrBlock
{
    public required ulong GuestPc { get; init; }
    /// <summary>One past the last guest byte translated.</summary>
    public required ulong GuestEnd { get; init; }
    public required IrInstr[] Code { get; init; }
    public required int TempCount { get; init; }
    public required int GuestInstructionCount { get; init; }
    /// <summary>The lazy-flag state is not read after the exit (every direct successor sets the flags first): its last stores are dead.</summary>
    public bool FlagsDeadAtExit { get; set; }
}
