using System.Text;

namespace UserEmu.IR;

/// <summary>Text form of IR for <c>-d op</c> and test failure messages.</summary>
public static class IrPrinter
{
    public static string Format(in IrInstr i) => i.Op switch
    {
        IrOp.Nop => "nop",
        IrOp.InsnStart => $"---- 0x{i.Imm:x}{(i.Aux != 0 ? " (may fault)" : "")}",
        IrOp.Const => $"t{i.Dst} = 0x{i.Imm:x}",
        IrOp.Mov => $"t{i.Dst} = t{i.A}",
        IrOp.LoadState => $"t{i.Dst} = state[{i.Imm}]:{i.Size}",
        IrOp.StoreState => $"state[{i.Imm}]:{i.Size} = t{i.A}",
        IrOp.Neg or IrOp.Not => $"t{i.Dst} = {i.Op.ToString().ToLowerInvariant()} t{i.A}",
        IrOp.ZExt or IrOp.SExt or IrOp.Bswap => $"t{i.Dst} = {i.Op.ToString().ToLowerInvariant()}{i.Size * 8} t{i.A}",
        IrOp.Select => $"t{i.Dst} = t{i.A} ? t{i.B} : t{i.C}",
        IrOp.Load => $"t{i.Dst} = load{i.Size * 8} [t{i.A}]",
        IrOp.Store => $"store{i.Size * 8} [t{i.A}] = t{i.B}",
        IrOp.Call => $"t{i.Dst} = call {HelperTable.Name(i.Helper)}(t{i.A}, t{i.B}, {i.Imm})",
        IrOp.PureCall => $"t{i.Dst} = pure {HelperTable.Name(i.Helper)}(t{i.A}, t{i.B}, t{i.C}, {i.Imm})",
        IrOp.Jump => $"jump 0x{i.Imm:x}{CallOrReturn(i)}",
        IrOp.JumpIndirect => $"jump t{i.A}{CallOrReturn(i)}",
        IrOp.Branch => $"branch t{i.A} ? 0x{i.Imm:x} : 0x{i.Imm2:x}",
        IrOp.Syscall => $"syscall, resume 0x{i.Imm:x}",
        IrOp.SideExit => $"exit to 0x{i.Imm:x} if t{i.A}{(i.Aux != 0 ? " (flags dead there)" : "")}",
        _ => $"t{i.Dst} = {i.Op.ToString().ToLowerInvariant()}{(i.Size != 0 ? (i.Size * 8).ToString() : "")} t{i.A}, t{i.B}",
    };

    static string CallOrReturn(in IrInstr i) => i.ReturnAddress != 0 ? $" (call, returns to 0x{i.ReturnAddress:x})" : i.IsReturn ? " (ret)" : "";

    public static string Format(IrBlock block)
    {
        var sb = new StringBuilder();
        sb.Append($"IR for block 0x{block.GuestPc:x} ({block.GuestInstructionCount} guest instructions, {block.TempCount} temps)\n");
        // Ops the optimiser removed stay in the block as Nops until it is prepared.
        foreach (var i in block.Ops) if (i.Op != IrOp.Nop) sb.Append("  ").Append(Format(i)).Append('\n');
        return sb.ToString();
    }
}
