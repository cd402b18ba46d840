using Iced.Intel;
using UserEmu.Backend.Native;
using UserEmu.IR;
using UserEmu.Memory;
using UserEmu.Tests.TestSupport;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace UserEmu.Tests.Backend;

/// <summary>Where the native tier puts a block's code: bodies side by side, out-of-line code apart, and both still run.</summary>
public unsafe class NativeCodeLayoutTests
{
    const ulong Code = 0x10000, Data = 0x40000;

    // A load (whose page check has a stub) and a direct exit (whose link stub and slot are out of line).
    static PreparedBlock LoadBlock(FakeGuest g, int disp)
    {
        var a = new Assembler(64);
        a.mov(rax, __qword_ptr[rbx + disp]);
        a.add(rax, 1);
        a.jmp(Code + 0x1000);
        g.WriteCode(a, Code);
        return PreparedBlock.Prepare(g.TranslateOptimized(Code));
    }

    [Fact]
    public void BodiesLieSideBySideAndTheirStubsApart()
    {
        using var g = FakeGuest.WithCodeArea(Code, sideExits: 4);
        var arena = new NativeCodeArena();
        try
        {
            var first = NativeBlockCompiler.Compile(LoadBlock(g, 8), arena, chain: true)!;
            var second = NativeBlockCompiler.Compile(LoadBlock(g, 16), arena, chain: true)!;
            Assert.True(first.ColdLength > 0 && second.ColdLength > 0);
            // The second block's entries start where the first block's body ended (16-byte aligned).
            byte* firstEnd = first.IndirectEntry + first.Length;
            Assert.True(second.IndirectEntry >= firstEnd && second.IndirectEntry < firstEnd + 32,
                $"first body ends at {(nint)firstEnd:x}, second block starts at {(nint)second.IndirectEntry:x}");
            // Out-of-line parts lie outside every body, in the same chunk (rel32 reach, exit tails).
            foreach (var code in new[] { first, second })
                foreach (var other in new[] { first, second })
                    Assert.False(code.Cold < other.IndirectEntry + other.Length && other.IndirectEntry < code.Cold + code.ColdLength);
            Assert.Equal(NativeCodeRegion.ChunkOf((nint)first.Body), NativeCodeRegion.ChunkOf((nint)first.Cold));
        }
        finally
        {
            arena.Reset();
        }
    }

    [Fact]
    public void AStubPlacedApartResumesTheBody()
    {
        // The load's page is not mapped: its check fails, the out-of-line stub hands the load to the managed side,
        // which raises the guest's fault; mapped, the same code runs through to its exit.
        using var g = FakeGuest.WithCodeArea(Code, sideExits: 4);
        var arena = new NativeCodeArena();
        try
        {
            var code = NativeBlockCompiler.Compile(LoadBlock(g, 8), arena)!;
            g.Cpu.State->Gpr[3] = Data;
            Assert.Throws<GuestFaultException>(() => NativeBlockRunner.Run(code.Body, g.Cpu, arena, out _));
            g.Map(Data, 4096, PageFlags.Read | PageFlags.Write);
            g.Memory.WriteSpan(Data + 8, 8)[0] = 41;
            g.Cpu.State->Gpr[3] = Data;
            NativeBlockRunner.Run(code.Body, g.Cpu, arena, out _);
            Assert.Equal(42UL, g.Cpu.State->Gpr[0]);
            Assert.Equal(Code + 0x1000, g.Cpu.State->Rip);
        }
        finally
        {
            arena.Reset();
        }
    }
}
