using System.Runtime.InteropServices;
using UserEmu.Cpu.X86;
using UserEmu.Memory;

namespace UserEmu.Engine;

/// <summary>One guest thread: its architectural state and the process it belongs to.</summary>
public sealed unsafe class Vcpu : IDisposable
{
    public readonly CpuState* State;
    public readonly GuestProcess Process;
    public readonly GuestAddressSpace Memory;
    /// <summary>Guest thread id (the host tid of the thread running it).</summary>
    public int Tid;
    /// <summary>set_tid_address / CLONE_CHILD_CLEARTID location.</summary>
    public ulong ClearChildTid;
    public ulong RobustList;
    public ulong RobustListLength;

    public Vcpu(GuestProcess process)
    {
        Process = process;
        Memory = process.Memory;
        State = (CpuState*)NativeMemory.AlignedAlloc((nuint)sizeof(CpuState), 64);
        State->Reset();
    }

    public ref ulong Gpr(int reg) => ref State->Gpr[reg];

    public void Dispose() => NativeMemory.AlignedFree(State);
}
