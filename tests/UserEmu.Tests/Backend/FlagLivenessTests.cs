using Iced.Intel;
using UserEmu.Backend.Interpreter;
using UserEmu.Cpu.X86;
using UserEmu.IR;
using UserEmu.Memory;
using UserEmu.Tests.TestSupport;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace UserEmu.Tests.Backend;

/// <summary>Flag liveness across a block's exit: the lazy-flag stores die only when every successor sets the flags before reading them.</summary>
public unsafe class FlagLivenessTests
{
    const ulong Code = 0x10000;

    // Block: cmp rax, rbx; jne taken. Fall-through and taken successors as given, both on the block's page unless moved.
    static IrBlock Translate(FakeGuest g, Action<Assembler> fallThrough, Action<Assembler> taken, ulong takenAt = 0)
    {
        var a = new Assembler(64);
        var target = a.CreateLabel();
        a.cmp(rax, rbx);
        a.jne(target);
        fallThrough(a);
        a.jmp(Code);
        if (takenAt == 0)
        {
            a.Label(ref target);
            taken(a);
            a.jmp(Code);
        }
        g.WriteCode(a, Code);
        if (takenAt != 0)
        {
            // A jne to a label on another page: patch its rel32 by hand.
            var far = new Assembler(64);
            taken(far);
            far.jmp(Code);
            g.WriteCode(far, takenAt);
            const ulong jne = 3; // after the 3-byte cmp
            g.Memory.Write(Code + jne + 2, 4, (uint)(takenAt - (Code + jne + 6)));
        }
        return g.TranslateOptimized(Code);
    }

    // sideExits 0: the jne ends the block (what most tests here are about); else it is a superblock's side exit.
    static FakeGuest NewGuest(int sideExits = 0) => FakeGuest.WithCodeArea(Code, sideExits);

    static bool StoresFlags(IrBlock b) => b.Code.Any(i => i.Op == IrOp.StoreState && i.Imm == CpuState.OffCcOp);

    [Fact]
    public void SuccessorsThatCompareFirstMakeTheCompareStoresDead()
    {
        using var g = NewGuest();
        var block = Translate(g, f => { f.mov(rcx, __qword_ptr[rsp]); f.test(rcx, rcx); }, t => { t.lea(rdx, __[rax + 8]); t.sub(rdx, 1); });
        Assert.True(block.FlagsDeadAtExit);
        Assert.False(StoresFlags(block));
    }

    [Theory]
    [InlineData("adc")]
    [InlineData("inc")]
    [InlineData("shl-cl")]
    [InlineData("jmp-adc")]
    [InlineData("jmp-off-page")]
    public void ASuccessorThatMayReadTheFlagsKeepsThem(string first)
    {
        using var g = NewGuest();
        Action<Assembler> reader = first switch
        {
            "adc" => t => t.adc(rdx, 1),
            "inc" => t => { t.inc(rdx); t.cmp(rdx, 3); },
            "shl-cl" => t => { t.shl(rdx, cl); t.cmp(rdx, 3); },
            "jmp-adc" => t =>
            {
                var reads = t.CreateLabel();
                t.jmp(reads);
                t.test(rdx, rdx);
                t.Label(ref reads);
                t.adc(rdx, 1);
            },
            _ => t => t.jmp(Code + 0x3000),
        };
        var block = Translate(g, f => f.test(rcx, rcx), reader);
        Assert.False(block.FlagsDeadAtExit);
        Assert.True(StoresFlags(block));
    }

    [Theory]
    [InlineData("shl-3", true)]
    [InlineData("sar-1", true)]
    [InlineData("shr-64", false)] // 64 & 63 = 0: a zero count leaves the flags, which the adc after it reads
    [InlineData("imul", true)]
    public void AShiftByAConstantOrAMultiplySetsTheFlags(string first, bool dead)
    {
        using var g = NewGuest();
        Action<Assembler> setter = first switch
        {
            "shl-3" => t => t.shl(rdx, 3),
            "sar-1" => t => t.sar(edx, 1),
            "shr-64" => t => { t.shr(rdx, 64); t.adc(rdx, 1); },
            _ => t => t.imul(rdx, rcx),
        };
        var block = Translate(g, f => f.test(rcx, rcx), setter);
        Assert.Equal(dead, block.FlagsDeadAtExit);
        Assert.Equal(!dead, StoresFlags(block));
    }

    [Fact]
    public void ADirectJmpIsFollowedToTheCompareItReaches()
    {
        // The taken successor jumps back to the block's own cmp, which sets every flag before anything reads one.
        using var g = NewGuest();
        var block = Translate(g, f => f.test(rcx, rcx), t => { t.mov(rdx, rcx); t.jmp(Code); });
        Assert.True(block.FlagsDeadAtExit);
        Assert.False(StoresFlags(block));
    }

    [Fact]
    public void ASuccessorOnAnotherPageKeepsThem()
    {
        // A write to that page would not invalidate this block, so its code is not relied on.
        using var g = NewGuest();
        var block = Translate(g, f => f.test(rcx, rcx), t => t.test(rdx, rdx), takenAt: Code + 0x2000);
        Assert.False(block.FlagsDeadAtExit);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ASideExitKeepsTheFlagsOnlyIfItsTargetMayReadThem(bool targetReads)
    {
        // The fall-through path's test sets every flag, and the block's own end (jmp to the cmp) does not observe them:
        // only the side exit to the taken successor can keep the cmp's lazy-flag stores.
        using var g = NewGuest(sideExits: 4);
        var block = Translate(g, f => f.test(rcx, rcx), t => { if (targetReads) t.adc(rdx, 1); else t.sub(rdx, 1); });
        var exit = Assert.Single(block.Code, i => i.Op == IrOp.SideExit);
        Assert.Equal(targetReads ? 0 : 1, exit.Aux);
        Assert.Equal(targetReads, StoresFlags(block));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void AdcAfterTheBranchSeesTheCarry(int sideExits)
    {
        // cmp 1, 2 borrows (CF = 1) and differs (jne taken); the taken successor's adc adds the carry. With side exits
        // the jne leaves the superblock in the middle.
        using var g = NewGuest(sideExits);
        Translate(g, f => f.test(rcx, rcx), t => t.adc(rdx, 0));
        g.Cpu.State->Gpr[0] = 1;
        g.Cpu.State->Gpr[3] = 2;
        g.Cpu.State->Gpr[2] = 40;
        g.Cpu.State->Rip = Code;
        var first = PreparedBlock.Prepare(UserEmu.Optimizer.IrOptimizer.Run(g.Process.Frontend.Translate(g.Cpu, Code)));
        IrInterpreter.Run(first, g.Cpu);
        var next = PreparedBlock.Prepare(UserEmu.Optimizer.IrOptimizer.Run(g.Process.Frontend.Translate(g.Cpu, g.Cpu.State->Rip)));
        IrInterpreter.Run(next, g.Cpu);
        Assert.Equal(41UL, g.Cpu.State->Gpr[2]);
    }
}
