using Iced.Intel;
using UserEmu.Engine;
using UserEmu.Tests.TestSupport;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace UserEmu.Tests.Dispatch;

/// <summary>A native block's IR dropped: packed again from the guest code when needed, kept through a write to that code, and never silently different.</summary>
public class DroppedIrTests
{
    const ulong Code = 0x10000;

    // A superblock (a side exit, a helper, a load) ending in a jump.
    static (FakeGuest, TranslationBlock, byte[]) Translated(bool cached)
    {
        var g = FakeGuest.WithCodeArea(Code, sideExits: 4);
        var a = new Assembler(64);
        var skip = a.CreateLabel();
        a.cmp(rdi, 3);
        a.je(skip);
        a.add(rax, __qword_ptr[rbx + 8]);
        a.Label(ref skip);
        a.cpuid();
        a.jmp(Code + 0x1000);
        g.WriteCode(a, Code);
        var tb = new TranslationBlock(g.TranslateOptimized(Code), g.Process) { Reproducible = true };
        if (cached) g.Process.Code.Add(tb, g.Memory);
        return (g, tb, tb.PackedCode.ToArray());
    }

    [Fact]
    public void IsPackedAgainTheSameWhenNeeded()
    {
        var (g, tb, packed) = Translated(cached: true);
        using (g)
        {
            Assert.True(tb.DropIrIfReproducible() > 0);
            Assert.Equal(packed, tb.PackedCode);
            Assert.Equal(1, g.Process.Stats.IrRestored);
        }
    }

    [Fact]
    public void AWriteToTheCodePacksItFirst()
    {
        var (g, tb, packed) = Translated(cached: true);
        using (g)
        {
            Assert.True(tb.DropIrIfReproducible() > 0);
            // The write invalidates the block, which may be running: its IR comes back from the code as it was.
            g.Memory.WriteBytes(Code, [0x90, 0x90, 0x90, 0x90]);
            Assert.False(tb.Valid);
            Assert.Equal(packed, tb.PackedCode);
        }
    }

    [Fact]
    public void UnmappingTheCodeDoesNotTranslateIt()
    {
        var (g, tb, _) = Translated(cached: true);
        using (g)
        {
            Assert.True(tb.DropIrIfReproducible() > 0);
            // The host memory is gone by the time the blocks are dropped: reading it there was a fatal host fault.
            g.Memory.Unmap(Code, 0x4000);
            Assert.False(tb.Valid);
            Assert.Equal(0, g.Process.Stats.IrRestored);
        }
    }

    [Fact]
    public void ADifferentTranslationIsAnInternalErrorNotOtherIr()
    {
        var (g, tb, _) = Translated(cached: false);
        using (g)
        {
            Assert.True(tb.DropIrIfReproducible() > 0);
            g.Memory.WriteBytes(Code, [0x90, 0x90, 0x90, 0x90]);
            var e = Assert.Throws<InvalidOperationException>(() => tb.PackedCode);
            Assert.Contains("translated differently", e.Message);
        }
    }

    [Fact]
    public void ABlockWhoseTranslationMayChangeKeepsItsIr()
    {
        var (g, _, _) = Translated(cached: false);
        using (g)
        {
            var tb = new TranslationBlock(g.TranslateOptimized(Code), g.Process) { Reproducible = false };
            Assert.Equal(0, tb.DropIrIfReproducible());
        }
    }
}
