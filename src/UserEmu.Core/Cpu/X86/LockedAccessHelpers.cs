using UserEmu.Engine;
using UserEmu.Memory;

namespace UserEmu.Cpu.X86;

/// <summary>IR helpers that make a LOCK-prefixed read-modify-write (and xchg with memory) atomic against other guest threads.</summary>
/// <remarks>
/// Load-linked / store-conditional over host compare-and-swap: <see cref="LoadLinked"/> reads the operand and
/// remembers the value on the vCPU, the IR computes the new value, and <see cref="StoreConditional"/> stores it
/// with a host CAS against the remembered value. If another thread changed the operand in between, the instruction
/// is run again from its start (<see cref="RetryInstructionException"/>): nothing of it was written yet, exactly as
/// when the store faults. A plain store by another thread (a spinlock release) is never lost, unlike with a lock.
/// </remarks>
public static class LockedAccessHelpers
{
    /// <summary>a = address, imm = size. Checks read and write access first, as the locked access needs both.</summary>
    public static ulong LoadLinked(Vcpu cpu, ulong addr, ulong unused, long size)
    {
        var mem = cpu.Memory;
        ulong value = GuestAtomics.LoadForUpdate(mem, addr, (int)size);
        cpu.LinkedValue = value;
        return value;
    }

    /// <summary>a = address, b = new value, imm = size.</summary>
    public static ulong StoreConditional(Vcpu cpu, ulong addr, ulong desired, long size)
    {
        ulong expected = cpu.LinkedValue;
        ulong seen = GuestAtomics.CompareExchange(cpu.Memory, addr, (int)size, expected, desired);
        if (seen != expected) throw new RetryInstructionException();
        return 0;
    }

    /// <summary>mfence: a full host barrier (guest stores are plain host stores, which a host may hold past later loads).</summary>
    public static ulong FullFence(Vcpu cpu, ulong a, ulong b, long imm)
    {
        Interlocked.MemoryBarrier();
        return 0;
    }
}
