using UserEmu.Memory;

namespace UserEmu.Engine.Threads;

/// <summary>The kernel's exit_robust_list: robust mutexes a dying thread still holds are marked FUTEX_OWNER_DIED and a waiter is woken.</summary>
/// <remarks>
/// struct robust_list_head { list.next, futex_offset, list_op_pending }: a circular list of entries, each with its
/// futex word at entry + futex_offset. list_op_pending is a lock being taken or released at the moment of death.
/// </remarks>
public static class RobustList
{
    const uint FUTEX_WAITERS = 0x80000000, FUTEX_OWNER_DIED = 0x40000000, FUTEX_TID_MASK = 0x3fffffff;
    /// <summary>ROBUST_LIST_LIMIT: a corrupt or cyclic list is not walked forever.</summary>
    const int Limit = 2048;

    /// <summary>
    /// The process ends (exit_group, a fatal signal): every live thread's list is walked, as the kernel does for each
    /// dying thread. Only other processes can still see the result: robust mutexes in shared memory.
    /// </summary>
    public static void CleanupAll(GuestProcess process)
    {
        foreach (var t in process.Threads.Snapshot()) Cleanup(t);
    }

    public static void Cleanup(Vcpu cpu)
    {
        ulong head = cpu.RobustList;
        if (head == 0) return;
        var mem = cpu.Memory;
        try
        {
            ulong next = mem.Read64(head);
            long offset = (long)mem.Read64(head + 8);
            ulong pending = mem.Read64(head + 16);
            for (int n = 0; next != head && n < Limit; n++)
            {
                // Bit 0 of an entry pointer marks a PI futex; the address is the rest.
                ulong entry = next & ~1UL;
                next = mem.Read64(entry);
                if (entry != pending) Release(cpu, entry + (ulong)offset);
            }
            if (pending != 0) Release(cpu, (pending & ~1UL) + (ulong)offset);
        }
        catch (GuestFaultException)
        {
            // As the kernel, a bad list just stops the walk.
        }
    }

    static void Release(Vcpu cpu, ulong word)
    {
        if ((word & 3) != 0) return;
        var mem = cpu.Memory;
        while (true)
        {
            uint old = (uint)mem.Read(word, 4);
            if ((old & FUTEX_TID_MASK) != (uint)cpu.Tid) return;
            uint updated = (old & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
            if ((uint)GuestAtomics.CompareExchange(mem, word, 4, old, updated) != old) continue;
            if ((old & FUTEX_WAITERS) != 0) cpu.Process.Futexes.WakeShared(word, 1);
            return;
        }
    }
}
