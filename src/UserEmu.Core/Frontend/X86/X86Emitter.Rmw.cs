namespace UserEmu.Frontend.X86;

public sealed partial class X86Emitter
{
    /// <summary>
    /// Read-modify-write of operand <paramref name="n"/>: loads it, lets <paramref name="compute"/> emit the new value
    /// from the old one, stores it, and returns the old value (<paramref name="result"/> receives the new one).
    /// </summary>
    /// <remarks>
    /// Lockable updates of the integer families (xadd, cmpxchg, bts/btr/btc, and the memory forms they share with
    /// LOCK) go through here or <see cref="ReadModifyWriteAt"/>, so making LOCK atomic changes these two methods only.
    /// Without LOCK the sequence is a plain load then store (as the CPU, not atomic); with LOCK, and for xchg, it is a
    /// load-linked / store-conditional pair of helpers over a host CAS (<see cref="Cpu.X86.LockedAccessHelpers"/>),
    /// as are the memory operands of <see cref="Read(int, int)"/> and <see cref="Write(int, ushort, int)"/> (see <see cref="Locked"/>).
    /// <paramref name="compute"/> must not write guest state: the store after it can still fault.
    /// </remarks>
    public ushort ReadModifyWrite(int n, int size, Func<ushort, ushort> compute, out ushort result)
    {
        if (IsMem(n)) return ReadModifyWriteAt(Ea(), size, compute, out result);
        ushort old = Read(n, size);
        result = compute(old);
        Write(n, result, size);
        return old;
    }

    /// <summary>Read-modify-write of <paramref name="size"/> bytes of guest memory at <paramref name="addr"/> (see <see cref="ReadModifyWrite"/>).</summary>
    public ushort ReadModifyWriteAt(ushort addr, int size, Func<ushort, ushort> compute, out ushort result)
    {
        if (Locked)
        {
            ushort linked = HelperImm(UserEmu.Cpu.X86.LockedAccessHelpers.LoadLinked, size, addr);
            result = compute(linked);
            HelperImm(UserEmu.Cpu.X86.LockedAccessHelpers.StoreConditional, size, addr, result);
            return linked;
        }
        ushort old = B.Load(addr, size);
        result = compute(old);
        B.Store(addr, result, size);
        return old;
    }
}
