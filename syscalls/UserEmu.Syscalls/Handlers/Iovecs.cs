namespace UserEmu.Syscalls.Handlers;

/// <summary>Translates a guest struct iovec[] into a host one whose bases point into guest memory.</summary>
public static unsafe class Iovecs
{
    /// <summary>UIO_MAXIOV: the kernel rejects longer vectors with EINVAL.</summary>
    public const int Max = 1024;

    /// <summary>
    /// Fills <paramref name="host"/> (pairs of base, length) from the guest vector at <paramref name="addr"/>.
    /// As for a single buffer, the vector is cut at the first inaccessible byte (a short transfer), and a vector whose
    /// first non-empty segment is bad keeps a host NULL base so the host kernel reports EFAULT.
    /// </summary>
    /// <returns>The number of host segments to pass, or a negative errno.</returns>
    public static long Translate(in SyscallContext c, ulong addr, ulong count, bool write, ulong* host)
    {
        if (count > Max) return -Errno.EINVAL;
        if (count == 0) return 0;
        ulong* guest = (ulong*)c.In(addr, count * 16);
        ulong total = 0;
        int n = 0;
        bool anyData = false;
        for (ulong k = 0; k < count; k++)
        {
            ulong b = guest[2 * k], len = guest[2 * k + 1];
            if ((long)len < 0) return -Errno.EINVAL;
            total += len;
            if ((long)total < 0) return -Errno.EINVAL; // the sum must fit in ssize_t
            ulong ok = c.Buffer(b, len, write, out byte* p);
            if (len != 0 && p == null)
            {
                // A bad segment after some good data ends the transfer there; a bad first segment is the host's EFAULT.
                if (anyData) break;
                host[2 * n] = 0;
                host[2 * n + 1] = len;
                n++;
                break;
            }
            host[2 * n] = (ulong)p;
            host[2 * n + 1] = ok;
            n++;
            if (len != 0) anyData = true;
            if (ok < len) break;
        }
        return n;
    }
}
