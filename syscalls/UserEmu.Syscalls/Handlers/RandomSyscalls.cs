using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>getrandom: the host kernel's entropy, written straight into the guest buffer.</summary>
public static unsafe class RandomSyscalls
{
    public static long Getrandom(in SyscallContext c)
    {
        ulong n = c.Buffer(c.A0, c.A1, true, out byte* buf);
        return Sys.Call(HostNr.Getrandom, (long)buf, (long)n, (long)c.A2);
    }
}
