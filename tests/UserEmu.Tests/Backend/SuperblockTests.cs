using Iced.Intel;
using UserEmu.Backend.Interpreter;
using UserEmu.IR;
using UserEmu.Memory;
using UserEmu.Tests.TestSupport;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace UserEmu.Tests.Backend;

/// <summary>Superblocks: which conditional branches a translated block continues past (as side exits), where it stops (join points, temps), and that both paths run right.</summary>
public unsafe class SuperblockTests
{
    const ulong Code = 0x10000;

    static IrBlock Translate(FakeGuest g, Action<Assembler> body)
    {
        var a = new Assembler(64);
        body(a);
        g.WriteCode(a, Code);
        return g.TranslateOptimized(Code);
    }

    static FakeGuest NewGuest(int sideExits = 4) => FakeGuest.WithCodeArea(Code, sideExits);

    // cmp rax, rbx; jne far (forward, off the block's path); add rcx, 1; add rcx, 2; jmp Code.
    static void ForwardBranch(Assembler a)
    {
        var far = a.CreateLabel();
        a.cmp(rax, rbx);
        a.jne(far);
        a.add(rcx, 1);
        a.add(rcx, 2);
        a.jmp(Code);
        a.nop();
        a.Label(ref far);
        a.add(rdx, 1);
        a.jmp(Code);
    }

    static int Count(IrBlock b, IrOp op) => b.Code.Count(i => i.Op == op);

    [Fact]
    public void AForwardBranchBecomesASideExit()
    {
        using var g = NewGuest();
        var block = Translate(g, ForwardBranch);
        Assert.Equal(1, Count(block, IrOp.SideExit));
        Assert.Equal(0, Count(block, IrOp.Branch));
        Assert.Equal(IrOp.Jump, block.Code.Last(i => i.Op != IrOp.Nop).Op);
        Assert.Equal(5, block.GuestInstructionCount);
    }

    [Fact]
    public void WithSideExitsOffTheBranchEndsTheBlock()
    {
        using var g = NewGuest(sideExits: 0);
        var block = Translate(g, ForwardBranch);
        Assert.Equal(0, Count(block, IrOp.SideExit));
        Assert.Equal(IrOp.Branch, block.Code.Last(i => i.Op != IrOp.Nop).Op);
        Assert.Equal(2, block.GuestInstructionCount);
    }

    [Fact]
    public void ABranchBackEndsTheBlock()
    {
        // A loop's jcc: its taken path is the hot one, so the code after the loop is not added to the loop's block.
        using var g = NewGuest();
        var block = Translate(g, a =>
        {
            var top = a.CreateLabel();
            a.Label(ref top);
            a.add(rcx, 1);
            a.cmp(rcx, rbx);
            a.jne(top);
            a.add(rdx, 1);
            a.jmp(Code);
        });
        Assert.Equal(0, Count(block, IrOp.SideExit));
        Assert.Equal(3, block.GuestInstructionCount);
    }

    [Fact]
    public void TheFallThroughStopsAtTheSideExitsTarget()
    {
        // if (rax != rbx) rcx += 1; then the join point, which is the side exit's own block, not copied here.
        using var g = NewGuest();
        ulong join = 0;
        var block = Translate(g, a =>
        {
            var skip = a.CreateLabel();
            a.cmp(rax, rbx);
            a.je(skip);
            a.add(rcx, 1);
            a.Label(ref skip);
            a.add(rdx, 1);
            a.jmp(Code);
        });
        join = (ulong)block.Code.First(i => i.Op == IrOp.SideExit).Imm;
        Assert.Equal(join, block.GuestEnd);
        Assert.Equal(join, (ulong)block.Code.Last(i => i.Op != IrOp.Nop).Imm);
        Assert.Equal(3, block.GuestInstructionCount);
    }

    [Fact]
    public void ABlockEndsBeforeItHasMoreTempsThanNativeCodeTakes()
    {
        // AVX2 word and dword compares lowered lane by lane take dozens of temps each: 64 of them would pass the
        // native tier's frame, and the block would stay interpreted for good.
        using var g = NewGuest();
        var block = Translate(g, a =>
        {
            for (int n = 0; n < 32; n++)
            {
                a.vpcmpgtw(ymm0, ymm1, ymm2);
                a.vpcmpgtd(ymm3, ymm0, ymm4);
            }
            a.jmp(Code);
        });
        Assert.True(block.GuestInstructionCount < 64, $"{block.GuestInstructionCount} instructions, {block.TempCount} temps");
        Assert.True(block.TempCount <= UserEmu.Backend.Native.NativeBlockRunner.FrameTemps, $"{block.TempCount} temps");
        Assert.NotNull(UserEmu.Backend.Native.NativeBlockCompiler.Compile(PreparedBlock.Prepare(block), UserEmu.Backend.Native.NativeCodeArena.Shared));
    }

    [Theory]
    [InlineData(5UL, 5UL)]
    [InlineData(5UL, 6UL)]
    public void BothPathsRun(ulong rax, ulong rbx)
    {
        using var g = NewGuest();
        var block = Translate(g, ForwardBranch);
        g.Cpu.State->Gpr[0] = rax;
        g.Cpu.State->Gpr[3] = rbx;
        g.Cpu.State->Gpr[1] = 10;
        IrInterpreter.Run(block, g.Cpu);
        bool taken = rax != rbx;
        Assert.Equal(taken ? 10UL : 13UL, g.Cpu.State->Gpr[1]);
        Assert.Equal(taken ? (ulong)block.Code.First(i => i.Op == IrOp.SideExit).Imm : Code, g.Cpu.State->Rip);
        Assert.NotEqual(Code, (ulong)block.Code.First(i => i.Op == IrOp.SideExit).Imm);
    }
}
