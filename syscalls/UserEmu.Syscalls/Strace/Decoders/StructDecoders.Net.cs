using System.Buffers.Binary;
using System.Net;
using System.Text;
using UserEmu.Syscalls.Strace.Names;
using UserEmu.Syscalls.Table;
using static UserEmu.Syscalls.Strace.StraceFormat;

namespace UserEmu.Syscalls.Strace.Decoders;

public static partial class StructDecoders
{
    static void AppendNet(StringBuilder sb, TraceCall call, int i)
    {
        ulong v = call.Arg(i);
        var spec = call.Spec(i);
        var mem = call.Mem;
        switch (spec.Kind)
        {
            case ArgKind.PollFds: PollFds(sb, mem, v, spec.Len >= 0 ? call.Arg(spec.Len) : 0, revents: false); break;
            case ArgKind.FdSet: BitListOrNull(sb, mem, v, spec.Len >= 0 ? (long)(int)call.Arg(spec.Len) : 0); break;
            case ArgKind.EpollEventIn:
                if (Unreadable(sb, mem, v, 12)) break;
                EpollEvent(sb, mem, v);
                break;
            case ArgKind.EpollEventsOut: EpollEvents(sb, mem, v, call.Result); break;
            case ArgKind.SockAddrIn: SockAddr(sb, mem, v, spec.Len >= 0 ? (int)call.Arg(spec.Len) : 0); break;
            case ArgKind.SockAddrOut:
                {
                    int len = spec.Len >= 0 && mem.TryRead(call.Arg(spec.Len), out int l) ? l : 0;
                    SockAddr(sb, mem, v, len);
                    break;
                }
            case ArgKind.SockLenInOut:
                if (v == 0) sb.Append("NULL");
                else if (mem.TryRead(v, out int n))
                {
                    sb.Append('[');
                    if (call.Succeeded && call.SockLenAtEntry >= 0 && call.SockLenAtEntry != n) sb.Append(call.SockLenAtEntry).Append(" => ");
                    sb.Append(n).Append(']');
                }
                else Pointer(sb, v);
                break;
            case ArgKind.MsghdrIn or ArgKind.MsghdrOut: Msghdr(sb, call, v); break;
            default: sb.Append($"0x{v:x}"); break;
        }
    }

    static void BitListOrNull(StringBuilder sb, TraceMemory mem, ulong a, long bits)
    {
        if (a == 0) sb.Append("NULL");
        else BitList(sb, mem, a, bits);
    }

    /// <summary>struct pollfd[]: [{fd=3, events=POLLIN}] on entry, or the revents of the ready ones after the call.</summary>
    public static void PollFds(StringBuilder sb, TraceMemory mem, ulong a, ulong count, bool revents)
    {
        if (a == 0 && count == 0)
        {
            sb.Append("NULL");
            return;
        }
        if (!mem.CanRead(a, count * 8) || a == 0)
        {
            Pointer(sb, a);
            return;
        }
        sb.Append('[');
        bool first = true;
        for (ulong n = 0; n < count; n++)
        {
            ulong p = a + n * 8;
            short ev = At<short>(mem, p + (revents ? 6UL : 4UL));
            if (revents && ev == 0) continue;
            if (!first) sb.Append(", ");
            first = false;
            sb.Append("{fd=").Append(At<int>(mem, p)).Append(revents ? ", revents=" : ", events=");
            NetworkNames.PollEvents.Append(sb, (ushort)ev);
            sb.Append('}');
        }
        sb.Append(']');
    }

    static void EpollEvent(StringBuilder sb, TraceMemory mem, ulong a)
    {
        ulong data = At<ulong>(mem, a + 4);
        sb.Append("{events=");
        NetworkNames.EpollEvents.Append(sb, At<uint>(mem, a));
        sb.Append(", data={u32=").Append((uint)data).Append(", u64=").Append(data).Append("}}");
    }

    static void EpollEvents(StringBuilder sb, TraceMemory mem, ulong a, long count)
    {
        if (count <= 0 || !mem.CanRead(a, (ulong)count * 12))
        {
            if (count == 0) sb.Append("[]");
            else Pointer(sb, a);
            return;
        }
        sb.Append('[');
        for (long n = 0; n < count; n++)
        {
            if (n > 0) sb.Append(", ");
            EpollEvent(sb, mem, a + (ulong)n * 12);
        }
        sb.Append(']');
    }

    /// <summary>struct sockaddr by family: AF_UNIX paths, AF_INET/AF_INET6 addresses in strace's htons/inet_addr notation.</summary>
    public static void SockAddr(StringBuilder sb, TraceMemory mem, ulong a, int len)
    {
        if (a == 0)
        {
            sb.Append("NULL");
            return;
        }
        if (len < 2 || !mem.CanRead(a, (ulong)Math.Min(len, 128)))
        {
            Pointer(sb, a);
            return;
        }
        var data = mem.Span(a, Math.Min(len, 128));
        int family = BinaryPrimitives.ReadUInt16LittleEndian(data);
        sb.Append("{sa_family=");
        NetworkNames.Families.Append(sb, family);
        switch (family)
        {
            case NetworkNames.AF_UNIX when data.Length > 2:
                {
                    var path = data[2..];
                    sb.Append(", sun_path=");
                    if (path[0] == 0)
                    {
                        sb.Append('@');
                        Quote(sb, path[1..], 108);
                    }
                    else
                    {
                        int nul = path.IndexOf((byte)0);
                        Quote(sb, nul >= 0 ? path[..nul] : path, 108);
                    }
                    break;
                }
            case NetworkNames.AF_INET when data.Length >= 8:
                sb.Append(", sin_port=htons(").Append(BinaryPrimitives.ReadUInt16BigEndian(data[2..])).Append("), sin_addr=inet_addr(\"")
                  .Append(new IPAddress(data.Slice(4, 4)).ToString()).Append("\")");
                break;
            case NetworkNames.AF_INET6 when data.Length >= 24:
                sb.Append(", sin6_port=htons(").Append(BinaryPrimitives.ReadUInt16BigEndian(data[2..])).Append("), sin6_flowinfo=htonl(")
                  .Append(BinaryPrimitives.ReadUInt32BigEndian(data[4..])).Append("), inet_pton(AF_INET6, \"")
                  .Append(new IPAddress(data.Slice(8, 16)).ToString()).Append("\", &sin6_addr)");
                if (data.Length >= 28) sb.Append(", sin6_scope_id=").Append(BinaryPrimitives.ReadUInt32LittleEndian(data[24..]));
                break;
            case NetworkNames.AF_NETLINK when data.Length >= 12:
                sb.Append(", nl_pid=").Append(BinaryPrimitives.ReadInt32LittleEndian(data[4..])).Append(", nl_groups=")
                  .Append($"{BinaryPrimitives.ReadUInt32LittleEndian(data[8..]):x8}");
                break;
            default:
                if (data.Length > 2)
                {
                    sb.Append(", sa_data=");
                    Quote(sb, data[2..], 128);
                }
                break;
        }
        sb.Append('}');
    }

    /// <summary>struct msghdr: {msg_name=..., msg_namelen=..., msg_iov=[...], msg_iovlen=..., msg_controllen=..., msg_flags=...}.</summary>
    static void Msghdr(StringBuilder sb, TraceCall call, ulong a)
    {
        var mem = call.Mem;
        if (Unreadable(sb, mem, a, 56)) return;
        ulong name = At<ulong>(mem, a), iov = At<ulong>(mem, a + 16), iovlen = At<ulong>(mem, a + 24);
        int namelen = At<int>(mem, a + 8);
        sb.Append("{msg_name=");
        if (name == 0) sb.Append("NULL");
        else SockAddr(sb, mem, name, namelen);
        sb.Append(", msg_namelen=").Append(namelen).Append(", msg_iov=");
        BufferDecoders.Iovec(sb, call, iov, iovlen, call.Exited ? (ulong)Math.Max(call.Result, 0) : ulong.MaxValue);
        sb.Append(", msg_iovlen=").Append(iovlen).Append(", msg_controllen=").Append(At<ulong>(mem, a + 40)).Append(", msg_flags=");
        NetworkNames.MsgFlags.Append(sb, At<uint>(mem, a + 48));
        sb.Append('}');
    }
}
