using System.Text;
using UserEmu.Engine;
using UserEmu.IR;
using UserEmu.Memory;
using UserEmu.Syscalls;

namespace UserEmu.Tests.Syscalls;

/// <summary>A guest process with a real address space and the x86-64 bridge; calls syscalls by name as the guest would.</summary>
public sealed unsafe class SyscallFixture : IDisposable
{
    sealed class NoFrontend : IGuestFrontend
    {
        public IrBlock Translate(Vcpu cpu, ulong pc, bool transient = false, ulong knownEnd = 0, bool alone = false) => throw new InvalidOperationException("no guest code in syscall tests");
        public string Disassemble(Vcpu cpu, ulong pc, ulong end) => "";
    }

    /// <summary>A read-write scratch area for arguments and results.</summary>
    public const ulong Scratch = 0x100000, ScratchSize = 0x10000;

    public GuestAddressSpace Memory { get; }
    public GuestProcess Process { get; }
    public Vcpu Cpu { get; }
    public X86_64SyscallBridge Bridge { get; }

    public SyscallFixture(EmulatorOptions? options = null)
    {
        Memory = new GuestAddressSpace(40);
        Process = new GuestProcess { Memory = Memory, Options = options ?? new EmulatorOptions(), Frontend = new NoFrontend(), Syscalls = null! };
        Bridge = new X86_64SyscallBridge(Process);
        Process.Syscalls = Bridge;
        Memory.CodePageWritten = Process.Code.InvalidatePage;
        Cpu = new Vcpu(Process) { Tid = Environment.ProcessId };
        Process.Threads.Add(Cpu);
        Map(Scratch, ScratchSize, PageFlags.Read | PageFlags.Write);
    }

    public static int Nr(string name) => X86_64SyscallBridge.Table.Find(name)?.Number ?? throw new ArgumentException($"no syscall {name}");

    /// <summary>Runs a syscall the way the guest's `syscall` instruction reaches the bridge; returns RAX.</summary>
    public long Call(long nr, ulong a0 = 0, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0, ulong a5 = 0)
    {
        var s = Cpu.State;
        s->Gpr[0] = (ulong)nr;
        s->Gpr[7] = a0;
        s->Gpr[6] = a1;
        s->Gpr[2] = a2;
        s->Gpr[10] = a3;
        s->Gpr[8] = a4;
        s->Gpr[9] = a5;
        Bridge.Dispatch(Cpu);
        return (long)s->Gpr[0];
    }

    public long Call(string name, ulong a0 = 0, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0, ulong a5 = 0) =>
        Call(Nr(name), a0, a1, a2, a3, a4, a5);

    public void Map(ulong addr, ulong length, PageFlags prot)
    {
        long r = Memory.Map(new MapRequest(addr, length, prot, Shared: false, Fixed: true, NoReplace: false));
        if (r < 0) throw new InvalidOperationException($"map failed: {r}");
    }

    /// <summary>Stores a NUL-terminated UTF-8 string and returns its address.</summary>
    public ulong PutString(ulong at, string s)
    {
        var b = Encoding.UTF8.GetBytes(s + "\0");
        Memory.WriteBytes(at, b);
        return at;
    }

    public string ReadString(ulong at, int length) => Encoding.UTF8.GetString(Memory.ReadSpan(at, length));

    public void Dispose()
    {
        Cpu.Dispose();
        Memory.Dispose();
    }
}
