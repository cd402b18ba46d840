using UserEmu.IR;
using UserEmu.Optimizer;

namespace UserEmu.Backend.Interpreter;

/// <summary>A block's IR prepared for <see cref="IrInterpreter"/>: only the ops that do work, over renumbered temps whose constants come from a template.</summary>
/// <remarks>
/// Constants are a fifth of the ops a cold program runs and instruction markers that record no PC another sixth
/// (python3, -d stats). Here neither is dispatched: the temps defined by Const (and any read before it is written,
/// which reads as 0) are numbered first, and the interpreter starts each run by copying their values in one block
/// copy instead of clearing the whole temp array.
/// </remarks>
public sealed class InterpretedBlock
{
    public required IrInstr[] Code { get; init; }
    public required int TempCount { get; init; }
    /// <summary>Initial values of temps 0 .. Constants.Length-1.</summary>
    public required ulong[] Constants { get; init; }
    public required ulong GuestPc { get; init; }

    public static InterpretedBlock Prepare(IrBlock block)
    {
        int temps = block.TempCount;
        var defs = new int[temps];
        foreach (ref readonly var i in block.Code.AsSpan())
            if (Defines(i.Op)) defs[i.Dst]++;
        // In the template: temps whose only definition is a Const (that op is dropped), and temps read before any
        // definition (they read as 0, as from a cleared array; their definitions stay ops).
        var inTemplate = new bool[temps];
        var dropConst = new bool[temps];
        var value = new ulong[temps];
        var written = new bool[temps];
        foreach (ref readonly var i in block.Code.AsSpan())
        {
            int n = DeadTemps.TempOperands(i.Op);
            if (n >= 1) ReadBeforeWrite(i.A);
            if (n >= 2) ReadBeforeWrite(i.B);
            if (n >= 3) ReadBeforeWrite(i.C);
            if (!Defines(i.Op)) continue;
            if (i.Op == IrOp.Const && defs[i.Dst] == 1 && !inTemplate[i.Dst])
            {
                inTemplate[i.Dst] = dropConst[i.Dst] = true;
                value[i.Dst] = (ulong)i.Imm;
            }
            written[i.Dst] = true;
        }

        void ReadBeforeWrite(ushort t)
        {
            if (!written[t]) inTemplate[t] = true;
        }

        var map = new ushort[temps];
        var constants = new List<ulong>();
        for (int t = 0; t < temps; t++)
            if (inTemplate[t]) { map[t] = (ushort)constants.Count; constants.Add(value[t]); }
        int next = constants.Count;
        for (int t = 0; t < temps; t++)
            if (!inTemplate[t]) map[t] = (ushort)next++;

        var code = new List<IrInstr>(block.Code.Length);
        foreach (var op in block.Code)
        {
            var i = op;
            if (i.Op == IrOp.Nop || (i.Op == IrOp.InsnStart && i.Aux == 0)) continue;
            if (i.Op == IrOp.Const && dropConst[i.Dst]) continue;
            int n = DeadTemps.TempOperands(i.Op);
            if (n >= 1) i.A = map[i.A];
            if (n >= 2) i.B = map[i.B];
            if (n >= 3) i.C = map[i.C];
            if (Defines(i.Op)) i.Dst = map[i.Dst];
            code.Add(i);
        }
        if (code.Count == 0 || code[^1].Op is not (IrOp.Jump or IrOp.JumpIndirect or IrOp.Branch or IrOp.Syscall))
            throw new InvalidOperationException($"block 0x{block.GuestPc:x} has no exit");
        return new InterpretedBlock { Code = code.ToArray(), TempCount = temps, Constants = constants.ToArray(), GuestPc = block.GuestPc };
    }

    /// <summary>True for ops that write their Dst temp (the interpreter writes Dst for every one of them, helpers included).</summary>
    static bool Defines(IrOp op) => op is not (IrOp.Nop or IrOp.InsnStart or IrOp.StoreState or IrOp.Store
        or IrOp.Jump or IrOp.JumpIndirect or IrOp.Branch or IrOp.Syscall);
}
