using System.Diagnostics;
using UserEmu.Memory;

namespace UserEmu.Engine.Threads;

/// <summary>The kernel's futex hash table for one guest address space: wait queues keyed by guest address.</summary>
/// <remarks>
/// The compare-and-block of FUTEX_WAIT happens under the table lock, and wakers take the same lock, so a wake
/// between a guest's value check and its sleep cannot be lost (the property glibc's locks rely on).
/// </remarks>
public sealed unsafe partial class FutexTable
{
    public const int EAGAIN = 11, EINTR = 4, ETIMEDOUT = 110, EINVAL = 22, EFAULT = 14;
    public const uint BitsetMatchAny = 0xffffffff;

    sealed class Waiter(Vcpu cpu, ulong addr, uint bitset, bool pi = false)
    {
        public readonly Vcpu Cpu = cpu;
        public ulong Address = addr;
        public readonly uint Bitset = bitset;
        /// <summary>A FUTEX_LOCK_PI waiter: woken only by FUTEX_UNLOCK_PI, which hands it the lock.</summary>
        public readonly bool Pi = pi;
        public bool Woken;
    }

    readonly Lock _lock = new();
    readonly Dictionary<ulong, List<Waiter>> _queues = new();
    readonly GuestAddressSpace _memory;

    public FutexTable(GuestAddressSpace memory) => _memory = memory;

    uint ReadWord(ulong addr)
    {
        if ((addr & 3) != 0) throw new ArgumentException("unaligned futex");
        if (!_memory.IsAccessible(addr, 4, PageFlags.Read)) throw new GuestFaultException(addr, FaultKind.Unmapped, false);
        return Volatile.Read(ref *(uint*)_memory.Host(addr));
    }

    /// <summary>FUTEX_WAIT(_BITSET): sleeps while *addr == expected. <paramref name="deadline"/> is a Stopwatch timestamp or null.</summary>
    /// <returns>0 when woken, or a negative errno (EAGAIN, ETIMEDOUT, EINTR, EINVAL, EFAULT).</returns>
    public int Wait(Vcpu cpu, ulong addr, uint expected, uint bitset, long? deadline)
    {
        if (bitset == 0 || (addr & 3) != 0) return -EINVAL;
        Waiter w;
        lock (_lock)
        {
            uint value;
            try { value = ReadWord(addr); }
            catch (GuestFaultException) { return -EFAULT; }
            if (value != expected) return -EAGAIN;
            w = new Waiter(cpu, addr, bitset);
            if (!_queues.TryGetValue(addr, out var q)) _queues[addr] = q = new();
            q.Add(w);
        }
        return Sleep(cpu, w, deadline);
    }

    // Sleeps until woken, the deadline passes or a signal becomes deliverable.
    int Sleep(Vcpu cpu, Waiter w, long? deadline)
    {
        cpu.BlockedOn = w;
        try
        {
            while (true)
            {
                int giveUp;
                lock (w)
                {
                    if (w.Woken) return 0;
                    if (cpu.HasDeliverableSignal) giveUp = -EINTR;
                    else
                    {
                        int ms = -1;
                        long left = deadline is { } d ? d - Stopwatch.GetTimestamp() : 1;
                        if (left <= 0) giveUp = -ETIMEDOUT;
                        else
                        {
                            if (deadline != null) ms = (int)Math.Min(int.MaxValue, left * 1000 / Stopwatch.Frequency + 1);
                            Monitor.Wait(w, ms);
                            continue;
                        }
                    }
                }
                // Outside the waiter's lock: wakers take the table lock first and the waiter's second.
                return Cancel(w, giveUp);
            }
        }
        finally
        {
            cpu.BlockedOn = null;
        }
    }

    // Removes a waiter that gave up; if a wake raced in first, the wake counts and we report success.
    int Cancel(Waiter w, int result)
    {
        lock (_lock)
        {
            if (w.Woken) return 0;
            if (_queues.TryGetValue(w.Address, out var q))
            {
                q.Remove(w);
                if (q.Count == 0) _queues.Remove(w.Address);
            }
            return result;
        }
    }

    /// <summary>FUTEX_WAKE(_BITSET): wakes up to <paramref name="count"/> waiters on addr; returns how many.</summary>
    public int Wake(ulong addr, int count, uint bitset = BitsetMatchAny)
    {
        if (bitset == 0) return -EINVAL;
        lock (_lock) return WakeLocked(addr, count, bitset);
    }

    /// <summary>
    /// A wake the kernel itself makes (CLONE_CHILD_CLEARTID at thread exit, a robust-list owner's death): a shared
    /// wake, so in MAP_SHARED memory it also reaches waiters blocked in the host kernel (other processes' guests).
    /// </summary>
    public void WakeShared(ulong addr, int count)
    {
        Wake(addr, count);
        if (_memory.IsSharedAt(addr) && _memory.IsAccessible(addr, 4, PageFlags.Read))
            UserEmu.Host.LibC.syscall(202 /* futex */, (long)_memory.Host(addr), 1 /* FUTEX_WAKE */, count, 0, 0, 0);
    }

    int WakeLocked(ulong addr, int count, uint bitset)
    {
        if (!_queues.TryGetValue(addr, out var q)) return 0;
        int woken = 0;
        for (int k = 0; k < q.Count && woken < count; k++)
        {
            var w = q[k];
            if (w.Pi || (w.Bitset & bitset) == 0) continue;
            q.RemoveAt(k--);
            lock (w)
            {
                w.Woken = true;
                Monitor.Pulse(w);
            }
            woken++;
        }
        if (q.Count == 0) _queues.Remove(addr);
        return woken;
    }

    /// <summary>FUTEX_REQUEUE / FUTEX_CMP_REQUEUE: wake some waiters on addr, move up to <paramref name="requeue"/> others to addr2.</summary>
    public int Requeue(ulong addr, int wake, ulong addr2, int requeue, uint? expected)
    {
        lock (_lock)
        {
            if (expected is { } e)
            {
                try
                {
                    if (ReadWord(addr) != e) return -EAGAIN;
                }
                catch (GuestFaultException) { return -EFAULT; }
            }
            int woken = WakeLocked(addr, wake, BitsetMatchAny);
            int moved = 0;
            if (_queues.TryGetValue(addr, out var q))
            {
                if (!_queues.TryGetValue(addr2, out var q2)) _queues[addr2] = q2 = new();
                while (q.Count > 0 && moved < requeue)
                {
                    var w = q[0];
                    q.RemoveAt(0);
                    w.Address = addr2;
                    q2.Add(w);
                    moved++;
                }
                if (q.Count == 0) _queues.Remove(addr);
                if (q2.Count == 0) _queues.Remove(addr2);
            }
            return woken + moved;
        }
    }

    /// <summary>FUTEX_WAKE_OP: atomically updates *addr2, wakes on addr, and on addr2 too if the old *addr2 passes the comparison.</summary>
    public int WakeOp(ulong addr, int wake, ulong addr2, int wake2, uint encodedOp)
    {
        lock (_lock)
        {
            int op = (int)(encodedOp >> 28) & 7;
            bool shiftArg = (encodedOp >> 31) != 0;
            int cmp = (int)(encodedOp >> 24) & 15;
            uint oparg = (encodedOp >> 12) & 0xfff;
            uint cmparg = encodedOp & 0xfff;
            if (shiftArg) oparg = 1u << (int)(oparg & 31);
            if ((addr2 & 3) != 0 || !_memory.IsAccessible(addr2, 4, PageFlags.Read | PageFlags.Write)) return -EFAULT;
            _memory.Check(addr2, 4, write: true); // drops translated code there (and its write protection)
            ref uint word = ref *(uint*)_memory.Host(addr2);
            uint old, updated;
            do
            {
                old = Volatile.Read(ref word);
                updated = op switch
                {
                    0 => oparg,
                    1 => old + oparg,
                    2 => old | oparg,
                    3 => old & ~oparg,
                    4 => old ^ oparg,
                    _ => old,
                };
                if (op > 4) return -EINVAL;
            } while (Interlocked.CompareExchange(ref word, updated, old) != old);
            int woken = WakeLocked(addr, wake, BitsetMatchAny);
            int o = (int)old, a = (int)cmparg;
            bool pass = cmp switch { 0 => o == a, 1 => o != a, 2 => o < a, 3 => o <= a, 4 => o > a, 5 => o >= a, _ => false };
            if (pass) woken += WakeLocked(addr2, wake2, BitsetMatchAny);
            return woken;
        }
    }

    /// <summary>Makes a vCPU blocked in <see cref="Wait"/> re-check for signals (called when one is queued for it).</summary>
    public static void Interrupt(Vcpu cpu)
    {
        if (cpu.BlockedOn is { } w)
            lock (w) Monitor.PulseAll(w);
    }
}
