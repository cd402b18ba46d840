namespace UserEmu.IR;

/// <summary>The IR of one translation block: straight-line code ending in exactly one exit op, with side exits (<see cref="IrOp.SideExit"/>) before it in a superblock.</summary>
public sealed class IrBlock
{
    public required ulong GuestPc { get => _guestPc; init => _guestPc = value; }
    /// <summary>One past the last guest byte translated.</summary>
    public required ulong GuestEnd { get => _guestEnd; init => _guestEnd = value; }
    /// <summary>The ops: all of the array, except in a transient block (<see cref="OpCount"/>); read them through <see cref="Ops"/>.</summary>
    public required IrInstr[] Code { get => _code; init => _code = value; }
    /// <summary>How many of <see cref="Code"/>'s ops are the block's: a transient block's code is its builder's buffer (<see cref="IrBuilder.Finish"/>).</summary>
    public int OpCount { get => _opCount < 0 ? _code.Length : _opCount; init => _opCount = value; }
    /// <summary>The block's ops.</summary>
    public Span<IrInstr> Ops => _code.AsSpan(0, OpCount);
    public required int TempCount { get => _tempCount; init => _tempCount = value; }
    public required int GuestInstructionCount { get => _guestInstructionCount; init => _guestInstructionCount = value; }
    /// <summary>The lazy-flag state is not read after the exit (every direct successor sets the flags first): its last stores are dead.</summary>
    public bool FlagsDeadAtExit { get; set; }
    /// <summary>A loop trace's code before the block's start, [TraceFrom, TraceEnd): translated after the block's own code, along a loop's jcc back (Frontend.X86.LoopTrace); both 0 in other blocks.</summary>
    public ulong TraceFrom { get; set; }
    public ulong TraceEnd { get; set; }
    /// <summary>The block goes on along a loop's jcc back into code before its start.</summary>
    public bool TracesLoop => TraceFrom != 0;

    ulong _guestPc, _guestEnd;
    IrInstr[] _code = [];
    int _opCount = -1, _tempCount, _guestInstructionCount;

    /// <summary>Makes this transient block (<see cref="IrBuilder.Finish"/>) the next one its builder built: it is valid only until then anyway.</summary>
    internal void Refill(ulong guestPc, ulong guestEnd, IrInstr[] code, int opCount, int tempCount, int guestInstructionCount)
    {
        _guestPc = guestPc;
        _guestEnd = guestEnd;
        _code = code;
        _opCount = opCount;
        _tempCount = tempCount;
        _guestInstructionCount = guestInstructionCount;
        FlagsDeadAtExit = false;
        TraceFrom = TraceEnd = 0;
    }
}
