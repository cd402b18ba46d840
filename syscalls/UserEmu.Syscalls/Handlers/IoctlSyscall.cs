using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>ioctl: terminal and file requests passed to the host with the argument translated for its true size.</summary>
/// <remarks>
/// The policy for requests not listed here:
/// <list type="bullet">
/// <item>A request whose number carries the _IOC direction and size (_IOR/_IOW/_IOWR, nearly every modern driver)
/// has its pointer checked for that size and passed to the host, which is exact because the guest and host ABIs are
/// both x86-64. (A driver that reads past the size it encodes, with a trailing variable array, must be listed.)</item>
/// <item>A request without that encoding (_IO or the legacy 0x54xx numbers) could take a value or a pointer, and a guest
/// pointer handed over as-is would let the host kernel write into the emulator's memory. Such requests get -ENOTTY,
/// which is what a kernel answers for a request the device does not support, and one warning per request.</item>
/// </list>
/// </remarks>
public static unsafe class IoctlSyscall
{
    /// <summary>How a request uses its third argument.</summary>
    enum Use : byte { Unknown, Value, None, In, Out, InOut }

    // Legacy tty requests (asm-generic/ioctls.h) and a few file ones; sizes are the x86-64 kernel structs:
    // struct termios 36 bytes, termio 18, termios2 44, winsize 8.
    static (Use Use, int Size) Known(uint request) => request switch
    {
        0x5401 => (Use.Out, 36),                              // TCGETS
        0x5402 or 0x5403 or 0x5404 => (Use.In, 36),           // TCSETS, TCSETSW, TCSETSF
        0x5405 => (Use.Out, 18),                              // TCGETA
        0x5406 or 0x5407 or 0x5408 => (Use.In, 18),           // TCSETA, TCSETAW, TCSETAF
        0x5409 or 0x540A or 0x540B or 0x5425 => (Use.Value, 0), // TCSBRK, TCXONC, TCFLSH, TCSBRKP
        0x540C or 0x540D or 0x5422 or 0x541D or 0x5427 or 0x5428 or 0x5437 => (Use.None, 0), // TIOCEXCL, TIOCNXCL, TIOCNOTTY, TIOCCONS, TIOCSBRK, TIOCCBRK, TIOCVHANGUP
        0x540E => (Use.Value, 0),                             // TIOCSCTTY
        0x540F => (Use.Out, 4),                               // TIOCGPGRP
        0x5410 => (Use.In, 4),                                // TIOCSPGRP
        0x5411 => (Use.Out, 4),                               // TIOCOUTQ
        0x5412 => (Use.In, 1),                                // TIOCSTI
        0x5413 => (Use.Out, 8),                               // TIOCGWINSZ
        0x5414 => (Use.In, 8),                                // TIOCSWINSZ
        0x5415 or 0x5419 or 0x5424 or 0x5429 => (Use.Out, 4), // TIOCMGET, TIOCGSOFTCAR, TIOCGETD, TIOCGSID
        0x5416 or 0x5417 or 0x5418 or 0x541A or 0x5423 => (Use.In, 4), // TIOCMBIS, TIOCMBIC, TIOCMSET, TIOCSSOFTCAR, TIOCSETD
        0x541B => (Use.Out, 4),                               // FIONREAD (TIOCINQ)
        0x5420 => (Use.In, 4),                                // TIOCPKT
        0x5421 => (Use.In, 4),                                // FIONBIO
        0x5441 => (Use.Value, 0),                             // TIOCGPTPEER (open flags; returns an fd)
        0x5450 or 0x5451 => (Use.None, 0),                    // FIONCLEX, FIOCLEX
        0x5452 => (Use.In, 4),                                // FIOASYNC
        0x5460 => (Use.Out, 8),                               // FIOQSIZE
        0x8901 or 0x8902 => (Use.In, 4),                      // FIOSETOWN, SIOCSPGRP
        0x8903 or 0x8904 or 0x8905 => (Use.Out, 4),           // FIOGETOWN, SIOCGPGRP, SIOCATMARK
        0x802C542A => (Use.Out, 44),                          // TCGETS2
        0x402C542B or 0x402C542C or 0x402C542D => (Use.In, 44), // TCSETS2, TCSETSW2, TCSETSF2
        0x40049409 => (Use.Value, 0),                         // FICLONE: encoded as _IOW(int) but takes the source fd by value
        0x80086601 => (Use.Out, 4),                           // FS_IOC_GETFLAGS: encoded as long, the kernel stores an int
        0x40086602 => (Use.In, 4),                            // FS_IOC_SETFLAGS
        _ => (Use.Unknown, 0),
    };

    const uint IocWrite = 1, IocRead = 2;

    public static long Ioctl(in SyscallContext c)
    {
        uint request = (uint)c.A1;
        var (use, size) = Known(request);
        if (use == Use.Unknown)
        {
            uint dir = request >> 30, encodedSize = (request >> 16) & 0x3fff;
            if (dir == 0 || encodedSize == 0)
            {
                c.Kernel.Warnings.Once($"ioctl:{request:x}", $"useremu: unsupported ioctl 0x{request:x} (fd {(int)c.A0})");
                return -Errno.ENOTTY;
            }
            use = dir == IocRead ? Use.Out : dir == IocWrite ? Use.In : Use.InOut;
            size = (int)encodedSize;
        }
        long arg = use switch
        {
            Use.Value => (long)c.A2,
            Use.None => 0,
            Use.In => (long)c.In(c.A2, (ulong)size),
            _ => (long)c.Out(c.A2, (ulong)size),
        };
        return Sys.Call(HostNr.Ioctl, (long)c.A0, request, arg);
    }
}
