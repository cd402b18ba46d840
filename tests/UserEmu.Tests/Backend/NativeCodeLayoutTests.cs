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

    [Fact]
    public void UnlinkingABlockGivesEveryExitLinkedToItItsWayBack()
    {
        // Two blocks whose direct exits go to the same third one: linked, each exit's jmp leads to its chain entry;
        // invalidated, the jump table's walk of the link slots (LinkSlot.Next) gives each jmp back its own return path.
        using var g = FakeGuest.WithCodeArea(Code, sideExits: 4);
        var arena = new NativeCodeArena();
        var jumps = new NativeJumpTable();
        try
        {
            var target = NativeBlockCompiler.Compile(LoadBlock(g, 8), arena, chain: true, jumps: jumps)!;
            var a = new Assembler(64);
            a.add(rax, 1);
            a.jmp(Code);
            g.WriteCode(a, Code + 0x200);
            a = new Assembler(64);
            a.sub(rax, 1);
            a.jmp(Code);
            g.WriteCode(a, Code + 0x300);
            var sources = new[] { Code + 0x200, Code + 0x300 }
                .Select(pc => NativeBlockCompiler.Compile(PreparedBlock.Prepare(g.TranslateOptimized(pc)), arena, chain: true, jumps: jumps)!).ToArray();
            var fields = sources.Select(ExitJumpField).ToArray();
            var unlinked = fields.Select(JumpTarget).ToArray();
            for (int n = 0; n < 2; n++)
            {
                // The jmp leads to the exit's call to the link tail, and its slot follows that call.
                Assert.Equal(0xe8, *(byte*)unlinked[n]);
                jumps.Link(unlinked[n] + 5, target);
                Assert.Equal((nint)target.ChainEntry, JumpTarget(fields[n]));
            }
            jumps.Unlink(Code, target);
            for (int n = 0; n < 2; n++) Assert.Equal(unlinked[n], JumpTarget(fields[n]));
            // Unlinked for good: a later link is refused.
            jumps.Link(unlinked[0] + 5, target);
            Assert.Equal(unlinked[0], JumpTarget(fields[0]));
        }
        finally
        {
            arena.Reset();
        }
    }

    static nint JumpTarget(nint field) => field + 4 + *(int*)field;

    // The rel32 field of the body's jmp to its out-of-line code (the block's one direct exit before linking).
    static nint ExitJumpField(NativeCode code)
    {
        var bytes = new ReadOnlySpan<byte>(code.Body, code.Length - (int)(code.Body - code.IndirectEntry)).ToArray();
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(bytes), (ulong)code.Body);
        while (decoder.IP < (ulong)code.Body + (ulong)bytes.Length)
        {
            decoder.Decode(out var insn);
            if (insn.Code == Iced.Intel.Code.Jmp_rel32_64 && insn.NearBranchTarget >= (ulong)code.Cold
                && insn.NearBranchTarget < (ulong)code.Cold + (ulong)code.ColdLength)
                return (nint)(insn.NextIP - 4);
        }
        throw new InvalidOperationException("no jmp to the out-of-line code");
    }
}
