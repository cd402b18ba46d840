using System.Runtime.CompilerServices;
using UserEmu.Memory;

namespace UserEmu.Engine.Threads;

/// <summary>The priority-inheritance futex operations (FUTEX_LOCK_PI, TRYLOCK_PI, UNLOCK_PI) that glibc's PTHREAD_PRIO_INHERIT mutexes use.</summary>
/// <remarks>
/// The futex word holds the owner's tid, FUTEX_WAITERS and FUTEX_OWNER_DIED. The kernel's protocol is kept (waiters
/// set FUTEX_WAITERS, unlock hands the lock to the first waiter by writing its tid); the priority boost is not, as
/// the emulator does not schedule guest threads itself.
/// </remarks>
public sealed unsafe partial class FutexTable
{
    public const int EDEADLK = 35, EPERM = 1, ESRCH = 3;
    public const uint FUTEX_WAITERS = 0x80000000, FUTEX_OWNER_DIED = 0x40000000, FUTEX_TID_MASK = 0x3fffffff;

    ref uint Word(ulong addr)
    {
        if ((addr & 3) != 0 || !_memory.IsAccessible(addr, 4, PageFlags.Read | PageFlags.Write))
            throw new GuestFaultException(addr, FaultKind.Unmapped, true);
        _memory.Check(addr, 4, write: true); // drops translated code there (and its write protection)
        return ref *(uint*)_memory.Host(addr);
    }

    /// <summary>FUTEX_LOCK_PI / FUTEX_TRYLOCK_PI: takes the lock for <paramref name="cpu"/>, sleeping (unless trying) until it is handed over.</summary>
    public int LockPi(Vcpu cpu, ulong addr, long? deadline, bool tryOnly)
    {
        if ((addr & 3) != 0) return -EINVAL;
        uint tid = (uint)cpu.Tid;
        Waiter w;
        lock (_lock)
        {
            ref uint word = ref Unsafe.NullRef<uint>();
            try { word = ref Word(addr); }
            catch (GuestFaultException) { return -EFAULT; }
            while (true)
            {
                uint v = Volatile.Read(ref word);
                uint owner = v & FUTEX_TID_MASK;
                if (owner == 0)
                {
                    // Free (perhaps after its owner died): take it, keeping FUTEX_WAITERS if others still wait.
                    uint taken = tid | (v & FUTEX_OWNER_DIED) | (HasPiWaiters(addr) ? FUTEX_WAITERS : 0);
                    if (Interlocked.CompareExchange(ref word, taken, v) == v) return 0;
                    continue;
                }
                if (owner == tid) return -EDEADLK;
                if (tryOnly) return -EAGAIN;
                if ((v & FUTEX_WAITERS) != 0 || Interlocked.CompareExchange(ref word, v | FUTEX_WAITERS, v) == v) break;
            }
            w = new Waiter(cpu, addr, BitsetMatchAny, pi: true);
            if (!_queues.TryGetValue(addr, out var q)) _queues[addr] = q = new();
            q.Add(w);
        }
        return Sleep(cpu, w, deadline);
    }

    /// <summary>FUTEX_UNLOCK_PI: releases a lock the caller owns, handing it to the first waiter if there is one.</summary>
    public int UnlockPi(Vcpu cpu, ulong addr)
    {
        if ((addr & 3) != 0) return -EINVAL;
        uint tid = (uint)cpu.Tid;
        lock (_lock)
        {
            ref uint word = ref Unsafe.NullRef<uint>();
            try { word = ref Word(addr); }
            catch (GuestFaultException) { return -EFAULT; }
            while (true)
            {
                uint v = Volatile.Read(ref word);
                if ((v & FUTEX_TID_MASK) != tid) return -EPERM;
                Waiter? next = null;
                if (_queues.TryGetValue(addr, out var q))
                    foreach (var x in q)
                        if (x.Pi)
                        {
                            next = x;
                            break;
                        }
                // As wake_futex_pi, the new owner finds FUTEX_WAITERS set and so unlocks through the kernel too.
                uint handed = next == null ? 0 : (uint)next.Cpu.Tid | FUTEX_WAITERS;
                if (Interlocked.CompareExchange(ref word, handed, v) != v) continue;
                if (next != null)
                {
                    q!.Remove(next);
                    if (q.Count == 0) _queues.Remove(addr);
                    lock (next)
                    {
                        next.Woken = true;
                        Monitor.Pulse(next);
                    }
                }
                return 0;
            }
        }
    }

    bool HasPiWaiters(ulong addr)
    {
        if (!_queues.TryGetValue(addr, out var q)) return false;
        foreach (var x in q)
            if (x.Pi) return true;
        return false;
    }
}
