using System.Text;
using UserEmu.Syscalls.Strace.Names;
using static UserEmu.Syscalls.Strace.StraceFormat;

namespace UserEmu.Syscalls.Strace.Decoders;

/// <summary>ioctl's request and the argument it implies: terminal structs, ints behind a pointer, or nothing, as strace 6 prints them.</summary>
public static class IoctlDecoders
{
    const uint TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404, TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414;

    /// <summary>Requests whose argument points to an int the kernel writes.</summary>
    static readonly HashSet<uint> IntOut = [0x540F /* TIOCGPGRP */, 0x5429 /* TIOCGSID */, 0x5424 /* TIOCGETD */, 0x80045430 /* TIOCGPTN */,
        0x541B /* FIONREAD */, 0x5411 /* TIOCOUTQ */];

    /// <summary>Requests whose argument points to an int the kernel reads.</summary>
    static readonly HashSet<uint> IntIn = [0x5410 /* TIOCSPGRP */, 0x5423 /* TIOCSETD */, 0x5421 /* FIONBIO */, 0x5452 /* FIOASYNC */,
        0x5420 /* TIOCPKT */, 0x40045431 /* TIOCSPTLCK */];

    /// <summary>Requests without an argument.</summary>
    static readonly HashSet<uint> NoArg = [0x5427 /* TIOCSBRK */, 0x5428 /* TIOCCBRK */, 0x541D /* TIOCCONS */, 0x5422 /* TIOCNOTTY */,
        0x540C /* TIOCEXCL */, 0x540D /* TIOCNXCL */, 0x5451 /* FIOCLEX */, 0x5450 /* FIONCLEX */];

    /// <summary>Appends the request (argument <paramref name="i"/>) and the argument after it.</summary>
    public static void Append(StringBuilder sb, TraceCall call, int i)
    {
        uint request = (uint)call.Arg(i);
        NetworkNames.AppendIoctl(sb, request);
        if (i + 1 >= call.Entry!.Args.Length || NoArg.Contains(request)) return;
        ulong arg = call.Arg(i + 1);
        var mem = call.Mem;
        sb.Append(", ");
        bool output = request is TCGETS or TIOCGWINSZ || IntOut.Contains(request);
        if (output && !call.Succeeded)
        {
            Pointer(sb, arg);
            return;
        }
        switch (request)
        {
            case TCGETS or TCSETS or TCSETSW or TCSETSF: Termios(sb, mem, arg); break;
            case TIOCGWINSZ or TIOCSWINSZ: Winsize(sb, mem, arg); break;
            default:
                if (output || IntIn.Contains(request))
                {
                    if (mem.TryRead(arg, out int n)) sb.Append('[').Append(n).Append(']');
                    else Pointer(sb, arg);
                }
                else Hex(sb, arg);
                break;
        }
    }

    static readonly FlagNames InputFlags = new([
        (0x1, "IGNBRK"), (0x2, "BRKINT"), (0x4, "IGNPAR"), (0x8, "PARMRK"), (0x10, "INPCK"), (0x20, "ISTRIP"), (0x40, "INLCR"),
        (0x80, "IGNCR"), (0x100, "ICRNL"), (0x200, "IUCLC"), (0x400, "IXON"), (0x800, "IXANY"), (0x1000, "IXOFF"),
        (0x2000, "IMAXBEL"), (0x4000, "IUTF8"),
    ]);

    static readonly FlagNames OutputFlags = new([
        (0x1, "OPOST"), (0x2, "OLCUC"), (0x4, "ONLCR"), (0x8, "OCRNL"), (0x10, "ONOCR"), (0x20, "ONLRET"), (0x40, "OFILL"), (0x80, "OFDEL"),
    ]);

    /// <summary>The delay fields of c_oflag, printed first: (mask, shift, names).</summary>
    static readonly (uint Mask, int Shift, string[] Names)[] OutputDelays =
    [
        (0x100, 8, ["NL0", "NL1"]), (0x600, 9, ["CR0", "CR1", "CR2", "CR3"]), (0x1800, 11, ["TAB0", "TAB1", "TAB2", "TAB3"]),
        (0x2000, 13, ["BS0", "BS1"]), (0x4000, 14, ["VT0", "VT1"]), (0x8000, 15, ["FF0", "FF1"]),
    ];

    static readonly FlagNames ControlFlags = new([
        (0x40, "CSTOPB"), (0x80, "CREAD"), (0x100, "PARENB"), (0x200, "PARODD"), (0x400, "HUPCL"), (0x800, "CLOCAL"),
        (0x40000000, "CMSPAR"), (0x80000000, "CRTSCTS"),
    ]);

    static readonly FlagNames LocalFlags = new([
        (0x1, "ISIG"), (0x2, "ICANON"), (0x4, "XCASE"), (0x8, "ECHO"), (0x10, "ECHOE"), (0x20, "ECHOK"), (0x40, "ECHONL"),
        (0x80, "NOFLSH"), (0x8000, "IEXTEN"), (0x200, "ECHOCTL"), (0x400, "ECHOPRT"), (0x800, "ECHOKE"), (0x1000, "FLUSHO"),
        (0x4000, "PENDIN"), (0x100, "TOSTOP"), (0x10000, "EXTPROC"),
    ]);

    static readonly EnumNames Bauds = new([
        (0, "B0"), (1, "B50"), (2, "B75"), (3, "B110"), (4, "B134"), (5, "B150"), (6, "B200"), (7, "B300"), (8, "B600"), (9, "B1200"),
        (10, "B1800"), (11, "B2400"), (12, "B4800"), (13, "B9600"), (14, "B19200"), (15, "B38400"), (0x1000, "BOTHER"),
        (0x1001, "B57600"), (0x1002, "B115200"), (0x1003, "B230400"), (0x1004, "B460800"), (0x1005, "B500000"), (0x1006, "B576000"),
        (0x1007, "B921600"), (0x1008, "B1000000"), (0x1009, "B1152000"), (0x100a, "B1500000"), (0x100b, "B2000000"),
        (0x100c, "B2500000"), (0x100d, "B3000000"), (0x100e, "B3500000"), (0x100f, "B4000000"),
    ], "B???");

    /// <summary>struct termios: {c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, c_cflag=B38400|CS8|CREAD, c_lflag=..., ...}.</summary>
    public static void Termios(StringBuilder sb, TraceMemory mem, ulong a)
    {
        if (a == 0 || !mem.TryRead(a, out uint iflag) || !mem.TryRead(a + 4, out uint oflag) || !mem.TryRead(a + 8, out uint cflag)
            || !mem.TryRead(a + 12, out uint lflag))
        {
            Pointer(sb, a);
            return;
        }
        sb.Append("{c_iflag=");
        InputFlags.Append(sb, iflag);
        sb.Append(", c_oflag=");
        foreach (var (mask, shift, names) in OutputDelays)
        {
            sb.Append(names[(oflag & mask) >> shift]).Append('|');
            oflag &= ~mask;
        }
        OutputFlags.Append(sb, oflag);
        sb.Append(", c_cflag=");
        const uint CBAUD = 0x100f, CIBAUD = 0x100f0000, CSIZE = 0x30;
        Bauds.Append(sb, cflag & CBAUD);
        sb.Append('|');
        if ((cflag & CIBAUD) != 0)
        {
            Bauds.Append(sb, (cflag & CIBAUD) >> 16);
            sb.Append("<<IBSHIFT|");
        }
        sb.Append("CS").Append(5 + ((cflag & CSIZE) >> 4)).Append('|');
        ControlFlags.Append(sb, cflag & ~(CBAUD | CIBAUD | CSIZE));
        sb.Append(", c_lflag=");
        LocalFlags.Append(sb, lflag);
        sb.Append(", ...}");
    }

    /// <summary>struct winsize: {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}.</summary>
    public static void Winsize(StringBuilder sb, TraceMemory mem, ulong a)
    {
        if (a == 0 || !mem.CanRead(a, 8))
        {
            Pointer(sb, a);
            return;
        }
        mem.TryRead(a, out ushort row);
        mem.TryRead(a + 2, out ushort col);
        mem.TryRead(a + 4, out ushort x);
        mem.TryRead(a + 6, out ushort y);
        sb.Append("{ws_row=").Append(row).Append(", ws_col=").Append(col).Append(", ws_xpixel=").Append(x).Append(", ws_ypixel=").Append(y).Append('}');
    }
}
