using System.Text;
using UserEmu.Syscalls.Strace.Names;
using UserEmu.Syscalls.Table;
using static UserEmu.Syscalls.Strace.StraceFormat;

namespace UserEmu.Syscalls.Strace.Decoders;

/// <summary>Decoders of structs in guest memory (x86-64 layouts), printed field by field as strace prints them.</summary>
/// <remarks>Socket, polling and descriptor-set structs are in StructDecoders.Net.cs.</remarks>
public static partial class StructDecoders
{
    public static void Append(StringBuilder sb, TraceCall call, int i)
    {
        ulong v = call.Arg(i);
        var mem = call.Mem;
        switch (call.Kind(i))
        {
            case ArgKind.StatOut: Stat(sb, mem, v); break;
            case ArgKind.StatxOut: Statx(sb, mem, v); break;
            case ArgKind.StatfsOut: Statfs(sb, mem, v); break;
            case ArgKind.PipeFdsOut: IntPair(sb, mem, v); break;
            case ArgKind.UtimeTimesIn: UtimeTimes(sb, mem, v); break;
            case ArgKind.TimespecIn: Timespec(sb, mem, v); break;
            case ArgKind.TimespecOut:
                // nanosleep's remainder is only written when the sleep is interrupted.
                if (call.Name.EndsWith("nanosleep", StringComparison.Ordinal) && call.Result != -Errno.EINTR) Pointer(sb, v);
                else Timespec(sb, mem, v);
                break;
            case ArgKind.TimevalIn or ArgKind.TimevalOut: Timeval(sb, mem, v); break;
            case ArgKind.ItimervalIn or ArgKind.ItimervalOut: TimePair(sb, mem, v, "it_interval", "it_value", nanoseconds: false); break;
            case ArgKind.ItimerspecIn or ArgKind.ItimerspecOut: TimePair(sb, mem, v, "it_interval", "it_value", nanoseconds: true); break;
            case ArgKind.WaitStatusOut: WaitStatus(sb, call, v); break;
            case ArgKind.RlimitIn or ArgKind.RlimitOut: Rlimit(sb, mem, v, call.Name == "prlimit64" ? "RLIM64_INFINITY" : "RLIM_INFINITY"); break;
            case ArgKind.RusageOut: Rusage(sb, mem, v); break;
            case ArgKind.UtsnameOut: Utsname(sb, mem, v); break;
            case ArgKind.SysinfoOut: Sysinfo(sb, mem, v); break;
            case ArgKind.TmsOut: Tms(sb, mem, v); break;
            case ArgKind.CpuSetIn: CpuSet(sb, mem, v, call.Spec(i).Len >= 0 ? call.Arg(call.Spec(i).Len) : 0); break;
            case ArgKind.CpuSetOut: CpuSet(sb, mem, v, (ulong)Math.Max(call.Result, 0)); break;
            case ArgKind.TimeOut:
                if (Unreadable(sb, mem, v, 8)) break;
                long t = At<long>(mem, v);
                sb.Append('[').Append(t);
                if (Date(t) is { } date) sb.Append(" /* ").Append(date).Append(" */");
                sb.Append(']');
                break;
            default: AppendNet(sb, call, i); break;
        }
    }


    /// <summary>struct stat: {st_mode=S_IFREG|0644, st_size=1221, ...}; devices show st_rdev instead of st_size.</summary>
    public static void Stat(StringBuilder sb, TraceMemory mem, ulong a)
    {
        if (Unreadable(sb, mem, a, 144)) return;
        uint mode = At<uint>(mem, a + 24);
        sb.Append("{st_mode=");
        FileMode(sb, mode);
        uint type = mode & 0xF000;
        if (type is 0x2000 or 0x6000)
        {
            sb.Append(", st_rdev=");
            Device(sb, At<ulong>(mem, a + 40));
        }
        else sb.Append(", st_size=").Append(At<long>(mem, a + 48));
        sb.Append(", ...}");
    }

    /// <summary>struct statx: {stx_mask=..., stx_attributes=0, stx_mode=S_IFREG|0644, stx_size=1221, ...}.</summary>
    static void Statx(StringBuilder sb, TraceMemory mem, ulong a)
    {
        if (Unreadable(sb, mem, a, 256)) return;
        sb.Append("{stx_mask=");
        FileNames.StatxMask.Append(sb, At<uint>(mem, a));
        sb.Append(", stx_attributes=");
        Hex(sb, At<ulong>(mem, a + 8));
        sb.Append(", stx_mode=");
        FileMode(sb, At<ushort>(mem, a + 28));
        sb.Append(", stx_size=").Append(At<ulong>(mem, a + 40)).Append(", ...}");
    }

    static readonly EnumNames FsMagic = new([
        (0xef53, "EXT2_SUPER_MAGIC"), (0x01021994, "TMPFS_MAGIC"), (0x9fa0, "PROC_SUPER_MAGIC"), (0x62656572, "SYSFS_MAGIC"),
        (0x794c7630, "OVERLAYFS_SUPER_MAGIC"), (0x58465342, "XFS_SUPER_MAGIC"), (0x9123683e, "BTRFS_SUPER_MAGIC"),
        (0x1cd1, "DEVPTS_SUPER_MAGIC"), (0x6969, "NFS_SUPER_MAGIC"), (0x27e0eb, "CGROUP_SUPER_MAGIC"), (0x63677270, "CGROUP2_SUPER_MAGIC"),
    ]);

    static readonly FlagNames StatfsFlags = new([
        (0x20, "ST_VALID"), (1, "ST_RDONLY"), (2, "ST_NOSUID"), (4, "ST_NODEV"), (8, "ST_NOEXEC"), (0x10, "ST_SYNCHRONOUS"),
        (0x40, "ST_MANDLOCK"), (0x400, "ST_NOATIME"), (0x800, "ST_NODIRATIME"), (0x1000, "ST_RELATIME"), (0x2000, "ST_NOSYMFOLLOW"),
    ]);

    static void Statfs(StringBuilder sb, TraceMemory mem, ulong a)
    {
        if (Unreadable(sb, mem, a, 120)) return;
        sb.Append("{f_type=");
        FsMagic.Append(sb, At<long>(mem, a));
        sb.Append(", f_bsize=").Append(At<long>(mem, a + 8)).Append(", f_blocks=").Append(At<ulong>(mem, a + 16))
          .Append(", f_bfree=").Append(At<ulong>(mem, a + 24)).Append(", f_bavail=").Append(At<ulong>(mem, a + 32))
          .Append(", f_files=").Append(At<ulong>(mem, a + 40)).Append(", f_ffree=").Append(At<ulong>(mem, a + 48))
          .Append(", f_fsid={val=[");
        Hex(sb, At<uint>(mem, a + 56));
        sb.Append(", ");
        Hex(sb, At<uint>(mem, a + 60));
        sb.Append("]}, f_namelen=").Append(At<long>(mem, a + 64)).Append(", f_frsize=").Append(At<long>(mem, a + 72)).Append(", f_flags=");
        StatfsFlags.Append(sb, At<ulong>(mem, a + 80));
        sb.Append('}');
    }

    /// <summary>int[2] (pipe, socketpair): [3, 4].</summary>
    static void IntPair(StringBuilder sb, TraceMemory mem, ulong a)
    {
        if (Unreadable(sb, mem, a, 8)) return;
        sb.Append('[').Append(At<int>(mem, a)).Append(", ").Append(At<int>(mem, a + 4)).Append(']');
    }

    /// <summary>A time_t as strace's comments show it: local time, 2026-12-01T13:46:52+0000; null for 0.</summary>
    public static string? Date(long seconds)
    {
        if (seconds == 0 || seconds < -62135596800 || seconds > 253402300799) return null;
        var local = DateTimeOffset.FromUnixTimeSeconds(seconds).ToLocalTime();
        var off = local.Offset;
        char sign = off < TimeSpan.Zero ? '-' : '+';
        off = off.Duration();
        return $"{local:yyyy-MM-dd'T'HH:mm:ss}{sign}{off.Hours:00}{off.Minutes:00}";
    }

    /// <summary>struct timespec: {tv_sec=1, tv_nsec=0}.</summary>
    public static void Timespec(StringBuilder sb, TraceMemory mem, ulong a)
    {
        if (Unreadable(sb, mem, a, 16)) return;
        TimespecAt(sb, mem, a);
    }

    static void TimespecAt(StringBuilder sb, TraceMemory mem, ulong a, bool utime = false)
    {
        long nsec = At<long>(mem, a + 8);
        sb.Append("{tv_sec=").Append(At<long>(mem, a)).Append(", tv_nsec=");
        if (utime && nsec == (1 << 30) - 1) sb.Append("UTIME_NOW");
        else if (utime && nsec == (1 << 30) - 2) sb.Append("UTIME_OMIT");
        else sb.Append(nsec);
        sb.Append('}');
    }

    static void TimevalAt(StringBuilder sb, TraceMemory mem, ulong a) =>
        sb.Append("{tv_sec=").Append(At<long>(mem, a)).Append(", tv_usec=").Append(At<long>(mem, a + 8)).Append('}');

    /// <summary>struct timeval: {tv_sec=1, tv_usec=0}.</summary>
    public static void Timeval(StringBuilder sb, TraceMemory mem, ulong a)
    {
        if (Unreadable(sb, mem, a, 16)) return;
        TimevalAt(sb, mem, a);
    }

    static void UtimeTimes(StringBuilder sb, TraceMemory mem, ulong a)
    {
        if (Unreadable(sb, mem, a, 32)) return;
        sb.Append('[');
        TimespecAt(sb, mem, a, utime: true);
        sb.Append(", ");
        TimespecAt(sb, mem, a + 16, utime: true);
        sb.Append(']');
    }

    static void TimePair(StringBuilder sb, TraceMemory mem, ulong a, string first, string second, bool nanoseconds)
    {
        if (Unreadable(sb, mem, a, 32)) return;
        sb.Append('{').Append(first).Append('=');
        if (nanoseconds) TimespecAt(sb, mem, a);
        else TimevalAt(sb, mem, a);
        sb.Append(", ").Append(second).Append('=');
        if (nanoseconds) TimespecAt(sb, mem, a + 16);
        else TimevalAt(sb, mem, a + 16);
        sb.Append('}');
    }

    /// <summary>int wait status: [{WIFEXITED(s) &amp;&amp; WEXITSTATUS(s) == 0}].</summary>
    static void WaitStatus(StringBuilder sb, TraceCall call, ulong a)
    {
        if (a == 0)
        {
            sb.Append("NULL");
            return;
        }
        // wait4 with WNOHANG returning 0 writes nothing.
        if (call.Result == 0 || !call.Mem.TryRead(a, out int s))
        {
            Pointer(sb, a);
            return;
        }
        sb.Append("[{");
        AppendWaitStatus(sb, s);
        sb.Append("}]");
    }

    public static void AppendWaitStatus(StringBuilder sb, int s)
    {
        int sig = s & 0x7f;
        if (sig == 0) sb.Append("WIFEXITED(s) && WEXITSTATUS(s) == ").Append((s >> 8) & 0xff);
        else if (sig == 0x7f) sb.Append("WIFSTOPPED(s) && WSTOPSIG(s) == ").Append(SignalNames.Name((s >> 8) & 0xff));
        else if (s == 0xffff) sb.Append("WIFCONTINUED(s)");
        else
        {
            sb.Append("WIFSIGNALED(s) && WTERMSIG(s) == ").Append(SignalNames.Name(sig));
            if ((s & 0x80) != 0) sb.Append(" && WCOREDUMP(s)");
        }
    }

    /// <summary>struct rlimit: {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}.</summary>
    static void Rlimit(StringBuilder sb, TraceMemory mem, ulong a, string infinity)
    {
        if (Unreadable(sb, mem, a, 16)) return;
        sb.Append("{rlim_cur=");
        RlimitValue(sb, At<ulong>(mem, a), infinity);
        sb.Append(", rlim_max=");
        RlimitValue(sb, At<ulong>(mem, a + 8), infinity);
        sb.Append('}');
    }

    static void RlimitValue(StringBuilder sb, ulong v, string infinity)
    {
        if (v == ulong.MaxValue) sb.Append(infinity);
        else if (v > 1024 && v % 1024 == 0) sb.Append(v / 1024).Append("*1024");
        else sb.Append(v);
    }

    static void Rusage(StringBuilder sb, TraceMemory mem, ulong a)
    {
        if (Unreadable(sb, mem, a, 144)) return;
        sb.Append("{ru_utime=");
        TimevalAt(sb, mem, a);
        sb.Append(", ru_stime=");
        TimevalAt(sb, mem, a + 16);
        sb.Append(", ...}");
    }

    /// <summary>struct utsname: {sysname="Linux", nodename="host", ...}.</summary>
    static void Utsname(StringBuilder sb, TraceMemory mem, ulong a)
    {
        if (Unreadable(sb, mem, a, 6 * 65)) return;
        sb.Append("{sysname=");
        Quote(sb, mem.CString(a, 64, out _), 65);
        sb.Append(", nodename=");
        Quote(sb, mem.CString(a + 65, 64, out _), 65);
        sb.Append(", ...}");
    }

    static void Sysinfo(StringBuilder sb, TraceMemory mem, ulong a)
    {
        if (Unreadable(sb, mem, a, 112)) return;
        sb.Append("{uptime=").Append(At<long>(mem, a)).Append(", loads=[").Append(At<ulong>(mem, a + 8)).Append(", ")
          .Append(At<ulong>(mem, a + 16)).Append(", ").Append(At<ulong>(mem, a + 24)).Append("], totalram=").Append(At<ulong>(mem, a + 32))
          .Append(", freeram=").Append(At<ulong>(mem, a + 40)).Append(", sharedram=").Append(At<ulong>(mem, a + 48))
          .Append(", bufferram=").Append(At<ulong>(mem, a + 56)).Append(", totalswap=").Append(At<ulong>(mem, a + 64))
          .Append(", freeswap=").Append(At<ulong>(mem, a + 72)).Append(", procs=").Append(At<ushort>(mem, a + 80))
          .Append(", totalhigh=").Append(At<ulong>(mem, a + 88)).Append(", freehigh=").Append(At<ulong>(mem, a + 96))
          .Append(", mem_unit=").Append(At<uint>(mem, a + 104)).Append('}');
    }

    static void Tms(StringBuilder sb, TraceMemory mem, ulong a)
    {
        if (Unreadable(sb, mem, a, 32)) return;
        sb.Append("{tms_utime=").Append(At<long>(mem, a)).Append(", tms_stime=").Append(At<long>(mem, a + 8))
          .Append(", tms_cutime=").Append(At<long>(mem, a + 16)).Append(", tms_cstime=").Append(At<long>(mem, a + 24)).Append('}');
    }

    /// <summary>A CPU mask of <paramref name="bytes"/> bytes as a bit list: [0 1 2 3].</summary>
    static void CpuSet(StringBuilder sb, TraceMemory mem, ulong a, ulong bytes) => BitList(sb, mem, a, (long)Math.Min(bytes, 1024) * 8);

    /// <summary>A bitmap of <paramref name="bits"/> bits as strace's bitset: [1 3].</summary>
    public static void BitList(StringBuilder sb, TraceMemory mem, ulong a, long bits)
    {
        if (bits <= 0)
        {
            Pointer(sb, a);
            return;
        }
        var span = mem.Span(a, (int)((bits + 7) / 8));
        if (span.Length * 8L < bits || a == 0)
        {
            Pointer(sb, a);
            return;
        }
        sb.Append('[');
        bool first = true;
        for (long b = 0; b < bits; b++)
        {
            if ((span[(int)(b >> 3)] & (1 << (int)(b & 7))) == 0) continue;
            if (!first) sb.Append(' ');
            sb.Append(b);
            first = false;
        }
        sb.Append(']');
    }
}
