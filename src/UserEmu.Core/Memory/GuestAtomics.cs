namespace UserEmu.Memory;

/// <summary>Atomic read-modify-write on guest memory (LOCK prefix, xchg, cmpxchg): host atomics on the host address, after the permission check.</summary>
public static unsafe class GuestAtomics
{
    /// <summary>Host pointer for an atomic access: checked for read+write, code pages invalidated, alignment within one page required.</summary>
    static void* Prepare(GuestAddressSpace mem, ulong addr, int size)
    {
        if (!mem.FastCheck(addr, (uint)size, PageFlags.Read | PageFlags.Write) || (mem.FlagsAt(addr) & PageFlags.HasCode) != 0)
        {
            mem.Check(addr, (ulong)size, false);
            mem.Check(addr, (ulong)size, true);
        }
        return mem.Host(addr);
    }

    /// <summary>Reads a value that is about to be updated atomically (read and write access checked, as for the locked access).</summary>
    public static ulong LoadForUpdate(GuestAddressSpace mem, ulong addr, int size)
    {
        void* p = Prepare(mem, addr, size);
        if ((addr & (ulong)(size - 1)) != 0) return mem.Read(addr, size);
        return size switch
        {
            1 => Volatile.Read(ref *(byte*)p),
            2 => Volatile.Read(ref *(ushort*)p),
            4 => Volatile.Read(ref *(uint*)p),
            _ => Volatile.Read(ref *(ulong*)p),
        };
    }

    /// <summary>Atomically replaces the value at addr with <paramref name="desired"/> if it equals <paramref name="expected"/>; returns the old value.</summary>
    public static ulong CompareExchange(GuestAddressSpace mem, ulong addr, int size, ulong expected, ulong desired)
    {
        void* p = Prepare(mem, addr, size);
        // A misaligned LOCK access is still atomic on x86 (a split lock); host CAS needs alignment, so those take a lock.
        if ((addr & (ulong)(size - 1)) != 0) return SplitCompareExchange(mem, addr, size, expected, desired);
        return size switch
        {
            1 => Interlocked.CompareExchange(ref *(byte*)p, (byte)desired, (byte)expected),
            2 => Interlocked.CompareExchange(ref *(ushort*)p, (ushort)desired, (ushort)expected),
            4 => Interlocked.CompareExchange(ref *(uint*)p, (uint)desired, (uint)expected),
            _ => Interlocked.CompareExchange(ref *(ulong*)p, desired, expected),
        };
    }

    /// <summary>Atomically stores <paramref name="value"/> and returns the previous value (xchg with memory).</summary>
    public static ulong Exchange(GuestAddressSpace mem, ulong addr, int size, ulong value)
    {
        while (true)
        {
            ulong old = mem.Read(addr, size);
            if (CompareExchange(mem, addr, size, old, value) == old) return old;
        }
    }

    /// <summary>Atomically applies <paramref name="op"/> to the value at addr; returns the old value.</summary>
    public static ulong Update(GuestAddressSpace mem, ulong addr, int size, Func<ulong, ulong> op)
    {
        while (true)
        {
            ulong old = mem.Read(addr, size);
            if (CompareExchange(mem, addr, size, old, op(old)) == old) return old;
        }
    }

    static readonly object[] SplitLocks = Enumerable.Range(0, 64).Select(_ => new object()).ToArray();

    static ulong SplitCompareExchange(GuestAddressSpace mem, ulong addr, int size, ulong expected, ulong desired)
    {
        lock (SplitLocks[(addr >> 6) & 63])
        {
            ulong old = mem.Read(addr, size);
            ulong mask = size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;
            if (old == (expected & mask)) mem.Write(addr, size, desired);
            return old;
        }
    }

    /// <summary>cmpxchg16b: 16-byte compare-exchange. .NET has no 128-bit CAS, so it is serialised by a striped lock (atomic among cmpxchg16b users).</summary>
    public static bool CompareExchange128(GuestAddressSpace mem, ulong addr, ref UInt128 expected, UInt128 desired)
    {
        Prepare(mem, addr, 16);
        lock (SplitLocks[(addr >> 6) & 63])
        {
            UInt128 old = mem.Read128(addr);
            if (old == expected)
            {
                mem.Write128(addr, desired);
                return true;
            }
            expected = old;
            return false;
        }
    }
}
