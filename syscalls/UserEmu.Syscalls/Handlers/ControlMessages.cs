using System.Runtime.InteropServices;
using UserEmu.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>Ancillary data (msg_control's cmsghdr chain) between guest and host layouts: SCM_RIGHTS fd passing, SCM_CREDENTIALS, and the rest.</summary>
/// <remarks>
/// x86-64 cmsghdr: { size_t cmsg_len; int cmsg_level; int cmsg_type; } then data, each message 8-aligned. The guest
/// and host layouts coincide, so the host buffer mirrors the guest's offsets and the host kernel's own checks
/// (malformed lengths: EINVAL; too little room: MSG_CTRUNC, excess fds dropped) fall exactly where a native kernel's
/// would. Headers and the known payloads are rebuilt field by field; other payloads (timestamps, IP_PKTINFO...) are
/// fixed-layout data without pointers and are copied as bytes.
/// </remarks>
public static unsafe class ControlMessages
{
    const int SOL_SOCKET = 1, SCM_RIGHTS = 1, SCM_CREDENTIALS = 2;
    const int HeaderSize = 16, UcredSize = 12;

    /// <summary>The largest host buffer used for received ancillary data (253 fds plus credentials fit many times over).</summary>
    public const int MaxReceive = 64 * 1024;

    /// <summary>Above this the host's optmem_max (128 KiB by default) refuses a send's ancillary data anyway.</summary>
    public const int MaxSend = 1 << 20;

    /// <summary>A native buffer for one call's ancillary data; callers free it with <see cref="Free"/>.</summary>
    public static byte* Alloc(ulong len) => (byte*)NativeMemory.AllocZeroed((nuint)Math.Max(len, 1));

    public static void Free(byte* p) => NativeMemory.Free(p);

    /// <summary>Translates the guest's chain at <paramref name="guest"/> (already checked readable) for sendmsg.</summary>
    public static void ToHost(byte* guest, ulong len, byte* host)
    {
        ulong off = 0;
        while (off + HeaderSize <= len)
        {
            ulong clen = *(ulong*)(guest + off);
            int level = *(int*)(guest + off + 8), type = *(int*)(guest + off + 12);
            *(ulong*)(host + off) = clen;
            *(int*)(host + off + 8) = level;
            *(int*)(host + off + 12) = type;
            // A length the kernel rejects (CMSG_OK) ends the walk: the host sees the same header and fails the same way.
            if (clen < HeaderSize || clen > len - off) return;
            byte* from = guest + off + HeaderSize, to = host + off + HeaderSize;
            ulong n = clen - HeaderSize;
            if (level == SOL_SOCKET && type == SCM_RIGHTS)
            {
                for (ulong k = 0; k + 4 <= n; k += 4)
                {
                    int fd = *(int*)(from + k);
                    // The emulator's own descriptors are not the guest's to send: the host sees a closed number (EBADF).
                    *(int*)(to + k) = EmulatorFds.IsEmulator(fd) ? -1 : fd;
                }
            }
            else if (level == SOL_SOCKET && type == SCM_CREDENTIALS && n >= UcredSize)
                Ucred(from, to);
            else
                new ReadOnlySpan<byte>(from, (int)n).CopyTo(new Span<byte>(to, (int)n));
            off += Align(clen);
        }
    }

    /// <summary>Translates the host's received chain of <paramref name="len"/> bytes into the guest's buffer (already checked writable).</summary>
    public static void ToGuest(byte* host, ulong len, byte* guest)
    {
        ulong off = 0;
        while (off + HeaderSize <= len)
        {
            ulong clen = Math.Min(*(ulong*)(host + off), len - off);
            int level = *(int*)(host + off + 8), type = *(int*)(host + off + 12);
            *(ulong*)(guest + off) = clen;
            *(int*)(guest + off + 8) = level;
            *(int*)(guest + off + 12) = type;
            if (clen < HeaderSize) return;
            byte* from = host + off + HeaderSize, to = guest + off + HeaderSize;
            ulong n = clen - HeaderSize;
            if (level == SOL_SOCKET && type == SCM_RIGHTS)
            {
                // The received descriptors are new host fds, which are the guest's fds.
                for (ulong k = 0; k + 4 <= n; k += 4) *(int*)(to + k) = *(int*)(from + k);
            }
            else if (level == SOL_SOCKET && type == SCM_CREDENTIALS && n >= UcredSize)
                Ucred(from, to);
            else
                new ReadOnlySpan<byte>(from, (int)n).CopyTo(new Span<byte>(to, (int)n));
            off += Align(clen);
        }
    }

    /// <summary>struct ucred { pid_t pid; uid_t uid; gid_t gid; }: guest pids and ids are the host's.</summary>
    static void Ucred(byte* from, byte* to)
    {
        ((int*)to)[0] = ((int*)from)[0];
        ((uint*)to)[1] = ((uint*)from)[1];
        ((uint*)to)[2] = ((uint*)from)[2];
    }

    static ulong Align(ulong n) => (n + 7) & ~7UL;
}
