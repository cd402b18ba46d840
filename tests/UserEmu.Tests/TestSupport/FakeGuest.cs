using Iced.Intel;
using UserEmu.Engine;
using UserEmu.Frontend.X86;
using UserEmu.IR;
using UserEmu.Memory;

namespace UserEmu.Tests.TestSupport;

/// <summary>A guest process with a real address space and no syscalls, for unit tests of the CPU core.</summary>
public sealed class FakeGuest : IDisposable
{
    sealed class NoSyscalls : ISyscallBridge
    {
        public void Dispatch(Vcpu cpu) => throw new InvalidOperationException("syscall in a unit test");
    }

    public GuestAddressSpace Memory { get; }
    public GuestProcess Process { get; }
    public Vcpu Cpu { get; }

    public FakeGuest(int addressBits = 40)
    {
        Memory = new GuestAddressSpace(addressBits);
        Process = new GuestProcess { Memory = Memory, Options = new EmulatorOptions(), Frontend = new X86Translator(), Syscalls = new NoSyscalls() };
        Memory.CodePageWritten = Process.Code.InvalidatePage;
        Cpu = new Vcpu(Process);
    }

    /// <summary>Maps anonymous memory at a fixed address with the given permissions.</summary>
    public void Map(ulong addr, ulong length, PageFlags prot)
    {
        long r = Memory.Map(new MapRequest(addr, length, prot, Shared: false, Fixed: true, NoReplace: false));
        if (r < 0) throw new InvalidOperationException($"map failed: {r}");
    }

    /// <summary>A guest with 16 KiB of read-write-execute memory at <paramref name="code"/>, translating with <paramref name="sideExits"/> side exits per block.</summary>
    public static FakeGuest WithCodeArea(ulong code, int sideExits)
    {
        var g = new FakeGuest();
        g.Process.Options.SideExits = sideExits;
        g.Map(code, 0x4000, PageFlags.Read | PageFlags.Write | PageFlags.Exec);
        return g;
    }

    /// <summary>Assembles <paramref name="a"/> for address <paramref name="at"/> and writes it there.</summary>
    public void WriteCode(Assembler a, ulong at)
    {
        var s = new MemoryStream();
        a.Assemble(new StreamCodeWriter(s), at, BlockEncoderOptions.None);
        Memory.WriteBytes(at, s.ToArray());
    }

    /// <summary>The optimised IR of the block the translator makes at <paramref name="at"/>.</summary>
    public IrBlock TranslateOptimized(ulong at) => UserEmu.Optimizer.IrOptimizer.Run(Process.Frontend.Translate(Cpu, at));

    public void Dispose()
    {
        Cpu.Dispose();
        Memory.Dispose();
    }
}
