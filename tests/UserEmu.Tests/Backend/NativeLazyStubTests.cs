using Iced.Intel;
using UserEmu.Backend.Native;
using UserEmu.IR;
using UserEmu.Memory;
using UserEmu.Tests.TestSupport;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace UserEmu.Tests.Backend;

/// <summary>Out-of-line stubs made when first reached: the registers the block holds survive the making, and a stub is made once.</summary>
public unsafe class NativeLazyStubTests
{
    const ulong Code = 0x10000, Data = 0x40000;

    // Guest registers changed in host registers before each of two loads whose pages are not mapped: the stub of the
    // load that fails must store them (the fault shows them), after its trampoline went to the runner and back.
    static PreparedBlock TwoLoads(FakeGuest g)
    {
        var a = new Assembler(64);
        a.add(rcx, 5);
        a.add(rdx, 7);
        a.imul(rsi, rcx);
        a.mov(rax, __qword_ptr[rbx + 8]);
        a.add(rcx, rax);
        a.mov(rax, __qword_ptr[rbx + 0x2000]);
        a.add(rax, rcx);
        a.jmp(Code + 0x1000);
        g.WriteCode(a, Code);
        return PreparedBlock.Prepare(g.TranslateOptimized(Code));
    }

    [Fact]
    public void AStubIsMadeOnItsFirstRunWithTheBlocksRegistersAndOnlyOnce()
    {
        using var g = FakeGuest.WithCodeArea(Code, sideExits: 4);
        var arena = new NativeCodeArena();
        try
        {
            var code = NativeBlockCompiler.Compile(TwoLoads(g), arena)!;
            for (int run = 0; run < 2; run++)
            {
                var s = g.Cpu.State;
                s->Gpr[1] = 100;
                s->Gpr[2] = 200;
                s->Gpr[3] = Data;
                s->Gpr[6] = 3;
                var fault = Assert.Throws<GuestFaultException>(() => NativeBlockRunner.Run(code.Body, g.Cpu, arena, out _));
                Assert.Equal(Data + 8, fault.Address);
                Assert.Equal(105UL, s->Gpr[1]);
                Assert.Equal(207UL, s->Gpr[2]);
                Assert.Equal(315UL, s->Gpr[6]);
                // The first run made the first load's stub; the second went to it straight; the other load's was never made.
                Assert.Equal(1, arena.StubsMade);
            }
            // Mapped, the first load passes and the second one's stub is made.
            g.Map(Data, 4096, PageFlags.Read | PageFlags.Write);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(g.Memory.WriteSpan(Data + 8, 8), 1000);
            g.Cpu.State->Gpr[1] = 100;
            g.Cpu.State->Gpr[3] = Data;
            var second = Assert.Throws<GuestFaultException>(() => NativeBlockRunner.Run(code.Body, g.Cpu, arena, out _));
            Assert.Equal(Data + 0x2000, second.Address);
            Assert.Equal(1105UL, g.Cpu.State->Gpr[1]);
            Assert.Equal(2, arena.StubsMade);
        }
        finally
        {
            arena.Reset();
        }
    }
}
