using UserEmu.IR;

namespace UserEmu.Optimizer;

/// <summary>Block-local IR passes run once per translation, before either backend sees the block.</summary>
public static class IrOptimizer
{
    public static IrBlock Run(IrBlock block)
    {
        var code = block.Code;
        StateForwarding.Run(code);
        CopyPropagation.Run(code, block.TempCount);
        ConstantFolding.Run(code, block.TempCount);
        CopyPropagation.Run(code, block.TempCount);
        DeadStateStores.Run(code);
        DeadTemps.Run(code, block.TempCount);
        int live = 0;
        foreach (var i in code) if (i.Op != IrOp.Nop) live++;
        if (live == code.Length) return block;
        var compact = new IrInstr[live];
        int n = 0;
        foreach (var i in code) if (i.Op != IrOp.Nop) compact[n++] = i;
        return new IrBlock { GuestPc = block.GuestPc, GuestEnd = block.GuestEnd, Code = compact, TempCount = block.TempCount, GuestInstructionCount = block.GuestInstructionCount };
    }
}
