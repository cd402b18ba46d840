using System.Runtime.CompilerServices;
using UserEmu.Memory;

namespace UserEmu.Syscalls.Strace;

/// <summary>Guest memory as the tracer reads it: every read is checked and reports failure instead of faulting.</summary>
/// <remarks>strace prints the bare address when it cannot read a tracee's memory; the decoders do the same.</remarks>
public readonly unsafe struct TraceMemory(GuestAddressSpace mem)
{
    public GuestAddressSpace Space => mem;

    public bool CanRead(ulong addr, ulong len) => len == 0 || (addr + len >= addr && mem.IsAccessible(addr, len, PageFlags.Read));

    /// <summary>Copies <paramref name="dst"/>.Length bytes from guest <paramref name="addr"/>; false if any byte is unreadable.</summary>
    public bool TryRead(ulong addr, Span<byte> dst)
    {
        if (addr == 0 || !CanRead(addr, (ulong)dst.Length)) return false;
        new ReadOnlySpan<byte>(mem.Host(addr), dst.Length).CopyTo(dst);
        return true;
    }

    public bool TryRead<T>(ulong addr, out T value) where T : unmanaged
    {
        if (addr == 0 || !CanRead(addr, (ulong)sizeof(T)))
        {
            value = default;
            return false;
        }
        value = Unsafe.ReadUnaligned<T>(mem.Host(addr));
        return true;
    }

    /// <summary>The readable guest bytes at <paramref name="addr"/>, at most <paramref name="max"/>, without copying.</summary>
    public ReadOnlySpan<byte> Span(ulong addr, int max)
    {
        if (addr == 0 || max <= 0) return default;
        ulong ok = 0;
        ulong page = GuestAddressSpace.PageSize - (addr & GuestAddressSpace.PageMask);
        while (ok < (ulong)max && CanRead(addr + ok, Math.Min(page, (ulong)max - ok)))
        {
            ok += Math.Min(page, (ulong)max - ok);
            page = GuestAddressSpace.PageSize;
        }
        return ok == 0 ? default : new ReadOnlySpan<byte>(mem.Host(addr), (int)ok);
    }

    /// <summary>A NUL-terminated guest string, up to <paramref name="max"/> bytes; <paramref name="terminated"/> says the NUL was seen.</summary>
    public ReadOnlySpan<byte> CString(ulong addr, int max, out bool terminated)
    {
        var s = Span(addr, max + 1);
        int n = s.IndexOf((byte)0);
        terminated = n >= 0;
        return terminated ? s[..n] : s[..Math.Min(s.Length, max)];
    }
}
