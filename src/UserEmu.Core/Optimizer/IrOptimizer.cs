using UserEmu.IR;

namespace UserEmu.Optimizer;

/// <summary>Block-local IR passes run once per translation, before either backend sees the block.</summary>
public static class IrOptimizer
{
    /// <summary>Optimises <paramref name="block"/> in place and returns it; ops that died are left as Nops, which PreparedBlock.Prepare drops (one copy of the code fewer per translation).</summary>
    public static IrBlock Run(IrBlock block)
    {
        var code = block.Ops;
        StateForwarding.Run(code);
        // Copy propagation runs inside folding (CopyPropagation).
        ConstantFolding.Run(code, block.TempCount);
        // Dead state stores are found inside this backward pass.
        DeadTemps.Run(code, block.TempCount, block.FlagsDeadAtExit);
        return block;
    }
}
