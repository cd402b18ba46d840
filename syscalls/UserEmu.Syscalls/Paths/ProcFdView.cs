using UserEmu.Host;
using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Paths;

/// <summary>
/// /proc/&lt;own pid&gt;/fd and fdinfo as the guest must see them: without the emulator's descriptors
/// (<see cref="EmulatorFds"/>). Listings skip them and their paths do not exist (ENOENT), as for closed descriptors.
/// </summary>
/// <remarks>
/// Covers /proc/self, /proc/thread-self, /proc/&lt;pid&gt; and their task/&lt;tid&gt; forms, by absolute path. A path
/// relative to an fd directory opened by the guest (openat(dirfd, "5")) still reaches the host's entry.
/// </remarks>
public static unsafe class ProcFdView
{
    /// <summary>True if <paramref name="path"/> is (or lies under) /proc/…/fd/N or fdinfo/N for an emulator descriptor N.</summary>
    public static bool NamesEmulatorFd(ReadOnlySpan<byte> path, int pid)
    {
        if (!path.StartsWith("/proc/"u8)) return false;
        var rest = path[6..];
        if (!SkipProcess(ref rest, pid)) return false;
        if (rest.StartsWith("fd/"u8)) rest = rest[3..];
        else if (rest.StartsWith("fdinfo/"u8)) rest = rest[7..];
        else return false;
        int end = rest.IndexOf((byte)'/');
        var digits = end < 0 ? rest : rest[..end];
        return TryNumber(digits, out int fd) && EmulatorFds.IsEmulator(fd);
    }

    /// <summary>True if <paramref name="dirfd"/> is an open fd or fdinfo directory of this process (self or one of its tasks).</summary>
    public static bool IsFdDirectory(int dirfd, int pid)
    {
        byte* link = stackalloc byte[32];
        "/proc/self/fd/"u8.CopyTo(new Span<byte>(link, 32));
        const int n = 14;
        if (!dirfd.TryFormat(new Span<byte>(link + n, 31 - n), out int w)) return false;
        link[n + w] = 0;
        byte* target = stackalloc byte[64];
        long len = Sys.Call(HostNr.Readlink, (long)link, (long)target, 64);
        if (len <= 6 || len >= 64) return false;
        var t = new ReadOnlySpan<byte>(target, (int)len);
        if (!t.StartsWith("/proc/"u8)) return false;
        t = t[6..];
        return SkipProcess(ref t, pid) && (t.SequenceEqual("fd"u8) || t.SequenceEqual("fdinfo"u8));
    }

    /// <summary>
    /// Drops the records of emulator descriptors from <paramref name="length"/> bytes of directory records (linux_dirent64
    /// when <paramref name="dirent64"/>, else the old linux_dirent), compacting the rest; returns the bytes kept.
    /// </summary>
    public static int Filter(byte* buf, int length, bool dirent64)
    {
        int nameAt = dirent64 ? 19 : 18;
        int read = 0, kept = 0;
        while (read + nameAt <= length)
        {
            int reclen = *(ushort*)(buf + read + 16);
            if (reclen == 0 || read + reclen > length) break;
            var name = new ReadOnlySpan<byte>(buf + read + nameAt, reclen - nameAt);
            int nul = name.IndexOf((byte)0);
            if (nul >= 0) name = name[..nul];
            bool hide = TryNumber(name, out int fd) && EmulatorFds.IsEmulator(fd);
            if (!hide)
            {
                if (kept != read) Buffer.MemoryCopy(buf + read, buf + kept, reclen, reclen);
                kept += reclen;
            }
            read += reclen;
        }
        return kept;
    }

    // Steps over "self/", "thread-self/" or "<pid>/", then an optional "task/<tid>/".
    static bool SkipProcess(ref ReadOnlySpan<byte> rest, int pid)
    {
        int slash = rest.IndexOf((byte)'/');
        if (slash < 0) return false;
        var who = rest[..slash];
        bool thread = who.SequenceEqual("thread-self"u8);
        if (!thread && !who.SequenceEqual("self"u8) && !(TryNumber(who, out int n) && n == pid)) return false;
        rest = rest[(slash + 1)..];
        if (!thread && rest.StartsWith("task/"u8))
        {
            var afterTask = rest[5..];
            int s = afterTask.IndexOf((byte)'/');
            if (s <= 0 || !TryNumber(afterTask[..s], out _)) return false;
            rest = afterTask[(s + 1)..];
        }
        return true;
    }

    static bool TryNumber(ReadOnlySpan<byte> s, out int value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 9) return false;
        foreach (byte b in s)
        {
            if (b is < (byte)'0' or > (byte)'9') return false;
            value = value * 10 + (b - '0');
        }
        return true;
    }
}
