using System.Text;
using UserEmu.Syscalls.Table;
using static UserEmu.Syscalls.Strace.StraceFormat;

namespace UserEmu.Syscalls.Strace.Decoders;

/// <summary>Decoders of strings and data buffers in guest memory: paths, strings, argv arrays, read/write buffers, iovecs, dirents.</summary>
public static class BufferDecoders
{
    /// <summary>strace prints path names up to PATH_MAX whatever -s says.</summary>
    const int PathMax = 4096;

    public static void Append(StringBuilder sb, TraceCall call, int i)
    {
        ulong v = call.Arg(i);
        var spec = call.Spec(i);
        switch (spec.Kind)
        {
            case ArgKind.Path: CString(sb, call.Mem, v, PathMax); break;
            case ArgKind.StrIn: CString(sb, call.Mem, v, call.StringLimit); break;
            case ArgKind.PathOut:
                // getcwd: the result counts the NUL.
                CString(sb, call.Mem, v, (int)Math.Min((ulong)PathMax, (ulong)Math.Max(call.Result - 1, 0)));
                break;
            case ArgKind.StrArray:
                if (IsEnvironment(call, i)) Environment(sb, call.Mem, v);
                else StringArray(sb, call.Mem, v, call.StringLimit);
                break;
            case ArgKind.BufIn:
                Buffer(sb, call, v, spec.Len >= 0 ? call.Arg(spec.Len) : 0);
                break;
            case ArgKind.BufOut:
                Buffer(sb, call, v, spec.Len >= 0 ? call.Arg(spec.Len) : (ulong)Math.Max(call.Result, 0));
                break;
            case ArgKind.IovecIn:
                Iovec(sb, call, v, spec.Len >= 0 ? call.Arg(spec.Len) : 0, ulong.MaxValue);
                break;
            case ArgKind.IovecOut:
                Iovec(sb, call, v, spec.Len >= 0 ? call.Arg(spec.Len) : 0, (ulong)Math.Max(call.Result, 0));
                break;
            case ArgKind.DirentsOut:
                Dirents(sb, call, v);
                break;
        }
    }

    /// <summary>A NUL-terminated string: "text", "text"... when longer than <paramref name="limit"/>, or the address if unreadable.</summary>
    public static void CString(StringBuilder sb, TraceMemory mem, ulong addr, int limit)
    {
        if (addr == 0)
        {
            sb.Append("NULL");
            return;
        }
        var s = mem.CString(addr, limit, out bool terminated);
        if (s.IsEmpty && !terminated)
        {
            Pointer(sb, addr);
            return;
        }
        Quote(sb, s, limit, more: !terminated);
    }

    /// <summary>The second string array of a call is the environment: strace shows its address and count, not its strings.</summary>
    static bool IsEnvironment(TraceCall call, int i)
    {
        for (int k = 0; k < i; k++)
            if (call.Kind(k) == ArgKind.StrArray) return true;
        return false;
    }

    /// <summary>argv: ["prog", "arg"], at most -s elements, then "...".</summary>
    public static void StringArray(StringBuilder sb, TraceMemory mem, ulong addr, int limit)
    {
        if (addr == 0)
        {
            sb.Append("NULL");
            return;
        }
        sb.Append('[');
        for (int n = 0; ; n++)
        {
            if (!mem.TryRead(addr + (ulong)n * 8, out ulong p))
            {
                if (n == 0)
                {
                    sb.Length--;
                    Pointer(sb, addr);
                    return;
                }
                sb.Append(", ...");
                break;
            }
            if (p == 0) break;
            if (n > 0) sb.Append(", ");
            if (n >= limit)
            {
                sb.Append("...");
                break;
            }
            CString(sb, mem, p, limit);
        }
        sb.Append(']');
    }

    /// <summary>envp: 0x7ffe... /* 43 vars */.</summary>
    public static void Environment(StringBuilder sb, TraceMemory mem, ulong addr)
    {
        Pointer(sb, addr);
        if (addr == 0) return;
        int n = 0;
        while (mem.TryRead(addr + (ulong)n * 8, out ulong p) && p != 0) n++;
        sb.Append(" /* ").Append(n).Append(n == 1 ? " var */" : " vars */");
    }

    /// <summary>A data buffer of <paramref name="len"/> bytes, shown up to -s bytes (random bytes in \x form, as strace does).</summary>
    public static void Buffer(StringBuilder sb, TraceCall call, ulong addr, ulong len)
    {
        int limit = call.StringLimit;
        int want = (int)Math.Min(len, (ulong)limit);
        var data = call.Mem.Span(addr, want);
        if (data.Length < want || (addr == 0 && len != 0))
        {
            Pointer(sb, addr);
            return;
        }
        if (call.Name == "getrandom") QuoteHex(sb, data, limit);
        else Quote(sb, data, limit, more: len > (ulong)limit);
        if (call.Name == "getrandom" && len > (ulong)limit) sb.Append("...");
    }

    /// <summary>struct iovec[]: [{iov_base="ab", iov_len=2}, ...]; <paramref name="total"/> bounds the bytes shown (readv's result).</summary>
    public static void Iovec(StringBuilder sb, TraceCall call, ulong addr, ulong count, ulong total)
    {
        if (addr == 0)
        {
            sb.Append("NULL");
            return;
        }
        sb.Append('[');
        ulong shownLimit = (ulong)call.StringLimit;
        for (ulong n = 0; n < count; n++)
        {
            if (n > 0) sb.Append(", ");
            if (n >= shownLimit)
            {
                sb.Append("...");
                break;
            }
            if (!call.Mem.TryRead(addr + n * 16, out ulong b) || !call.Mem.TryRead(addr + n * 16 + 8, out ulong l))
            {
                Pointer(sb, addr + n * 16);
                break;
            }
            sb.Append("{iov_base=");
            ulong have = Math.Min(l, total);
            int want = (int)Math.Min(have, shownLimit);
            var data = call.Mem.Span(b, want);
            if (data.Length < want || b == 0) Pointer(sb, b);
            else Quote(sb, data, call.StringLimit, more: have > shownLimit);
            sb.Append(", iov_len=").Append(l).Append('}');
            if (total != ulong.MaxValue) total -= have;
        }
        sb.Append(']');
    }

    /// <summary>getdents64's buffer as strace shows it by default: its address and the entry count.</summary>
    static void Dirents(StringBuilder sb, TraceCall call, ulong addr)
    {
        Pointer(sb, addr);
        if (!call.Succeeded) return;
        long len = call.Result, off = 0;
        int n = 0;
        while (off + 19 <= len && call.Mem.TryRead(addr + (ulong)off + 16, out ushort reclen) && reclen > 0)
        {
            n++;
            off += reclen;
        }
        sb.Append(" /* ").Append(n).Append(n == 1 ? " entry */" : " entries */");
    }
}
