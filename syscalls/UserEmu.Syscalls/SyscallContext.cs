using System.Runtime.CompilerServices;
using UserEmu.Engine;
using UserEmu.Memory;

namespace UserEmu.Syscalls;

/// <summary>One syscall in flight: the calling vCPU, its six arguments, and checked access to guest memory.</summary>
/// <remarks>
/// Guest memory is used in place: a checked guest range becomes a host pointer that is handed straight to the host
/// kernel (zero-copy, no allocation). Every check throws <see cref="GuestFaultException"/> on a bad range, which the
/// dispatcher turns into -EFAULT; a guest pointer is never dereferenced or passed to the host unchecked, because
/// addresses past the guest reservation would reach the emulator's own memory.
/// </remarks>
public readonly unsafe struct SyscallContext
{
    public readonly Vcpu Cpu;
    public readonly KernelState Kernel;
    public readonly ulong A0, A1, A2, A3, A4, A5;
    /// <summary>The guest ABI's syscall number.</summary>
    public readonly ulong Number;

    public SyscallContext(Vcpu cpu, KernelState kernel, ulong number, ulong a0, ulong a1, ulong a2, ulong a3, ulong a4, ulong a5)
    {
        Cpu = cpu;
        Kernel = kernel;
        Number = number;
        A0 = a0; A1 = a1; A2 = a2; A3 = a3; A4 = a4; A5 = a5;
    }

    public GuestAddressSpace Mem => Cpu.Memory;
    public GuestProcess Process => Cpu.Process;

    /// <summary>Argument <paramref name="i"/> (0..5).</summary>
    public ulong Arg(int i) => i switch { 0 => A0, 1 => A1, 2 => A2, 3 => A3, 4 => A4, _ => A5 };

    /// <summary>Host pointer to a guest range the kernel reads; throws on a bad range. Length 0 needs no valid address.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* In(ulong addr, ulong len)
    {
        if (len == 0) return Harmless(addr);
        Mem.Check(addr, len, false);
        return Mem.Host(addr);
    }

    /// <summary>Host pointer to a guest range the kernel writes; throws on a bad range and drops translations of code there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* Out(ulong addr, ulong len)
    {
        if (len == 0) return Harmless(addr);
        Mem.Check(addr, len, true);
        return Mem.Host(addr);
    }

    /// <summary>As <see cref="In"/>, but a guest NULL stays a host NULL (optional arguments).</summary>
    public byte* InOrNull(ulong addr, ulong len) => addr == 0 ? null : In(addr, len);

    /// <summary>As <see cref="Out"/>, but a guest NULL stays a host NULL (optional results).</summary>
    public byte* OutOrNull(ulong addr, ulong len) => addr == 0 ? null : Out(addr, len);

    // A zero-length range is not dereferenced by the host kernel; keep the pointer inside the reservation anyway.
    byte* Harmless(ulong addr) => addr < Mem.Limit ? Mem.Host(addr) : null;

    /// <summary>
    /// A data buffer as the kernel copies it: the length is cut at the first page the guest may not access
    /// (a short transfer). A buffer whose first byte is bad becomes a host NULL of the full length, so the host kernel
    /// reports EFAULT itself, after its own checks (EBADF, EAGAIN...), in the order a native kernel would.
    /// </summary>
    /// <returns>The length to hand to the host.</returns>
    public ulong Buffer(ulong addr, ulong len, bool write, out byte* host)
    {
        if (len == 0)
        {
            host = Harmless(addr);
            return 0;
        }
        ulong ok = AccessibleLength(addr, len, write ? PageFlags.Write : PageFlags.Read);
        if (ok == 0)
        {
            host = null;
            return len;
        }
        if (write) Mem.Check(addr, ok, true); // drops translated code the host is about to overwrite
        host = Mem.Host(addr);
        return ok;
    }

    /// <summary>How many bytes from <paramref name="addr"/> (up to <paramref name="len"/>) lie in pages allowing <paramref name="need"/>.</summary>
    public ulong AccessibleLength(ulong addr, ulong len, PageFlags need)
    {
        var mem = Mem;
        ulong end = addr + len;
        if (end < addr) end = ulong.MaxValue;
        ulong at = addr;
        while (at < end)
        {
            ulong page = at >> GuestAddressSpace.PageShift;
            if (page >= mem.PageCount || (((PageFlags)mem.Pages[page] & need) != need && !mem.Revived(at, need))) break;
            at = (page + 1) << GuestAddressSpace.PageShift;
        }
        return Math.Min(at, end) - addr;
    }

    /// <summary>
    /// A NUL-terminated guest string in place: checks every byte up to the NUL is readable.
    /// </summary>
    /// <returns>The string length (without the NUL), -EFAULT, or -ENAMETOOLONG when no NUL lies within <paramref name="max"/> bytes.</returns>
    public long CString(ulong addr, int max, out byte* host)
    {
        host = null;
        var mem = Mem;
        ulong at = addr;
        while (true)
        {
            ulong page = at >> GuestAddressSpace.PageShift;
            if (page >= mem.PageCount || ((PageFlags)mem.Pages[page] & PageFlags.Read) == 0) return -Errno.EFAULT;
            ulong pageEnd = (page + 1) << GuestAddressSpace.PageShift;
            ulong limit = Math.Min(pageEnd, addr + (ulong)max);
            int n = new ReadOnlySpan<byte>(mem.Host(at), (int)(limit - at)).IndexOf((byte)0);
            if (n >= 0)
            {
                host = mem.Host(addr);
                return (long)(at - addr) + n;
            }
            at = limit;
            if (at - addr >= (ulong)max) return -Errno.ENAMETOOLONG;
        }
    }

    /// <summary>Reads a guest struct (throws on a bad pointer).</summary>
    public T Read<T>(ulong addr) where T : unmanaged => Mem.ReadStruct<T>(addr);

    /// <summary>Writes a guest struct (throws on a bad pointer).</summary>
    public void Write<T>(ulong addr, in T value) where T : unmanaged => Mem.WriteStruct(addr, value);
}
