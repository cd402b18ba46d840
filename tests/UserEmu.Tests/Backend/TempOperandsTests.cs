using UserEmu.IR;
using UserEmu.Optimizer;
using Xunit;

namespace UserEmu.Tests.Backend;

/// <summary>The table of how many temps each op reads, against each op's definition (IrOp's operand fields).</summary>
public class TempOperandsTests
{
    [Fact]
    public void EveryOpReadsTheTempsItsDefinitionNames()
    {
        foreach (var op in Enum.GetValues<IrOp>())
        {
            int expected = op switch
            {
                IrOp.Nop or IrOp.InsnStart or IrOp.Const or IrOp.LoadState or IrOp.Jump or IrOp.Syscall => 0,
                IrOp.Mov or IrOp.Neg or IrOp.Not or IrOp.ZExt or IrOp.SExt or IrOp.Bswap or IrOp.StoreState or IrOp.Load
                    or IrOp.JumpIndirect or IrOp.Branch or IrOp.SideExit => 1,
                IrOp.Select or IrOp.PureCall => 3,
                _ => 2,
            };
            Assert.True(expected == DeadTemps.TempOperands(op), $"{op}: {DeadTemps.TempOperands(op)} temps, defined with {expected}");
        }
    }
}
