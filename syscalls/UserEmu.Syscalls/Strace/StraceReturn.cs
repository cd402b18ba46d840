using System.Text;
using UserEmu.Syscalls.Strace.Decoders;
using UserEmu.Syscalls.Strace.Names;
using UserEmu.Syscalls.Table;
using static UserEmu.Syscalls.Strace.StraceFormat;

namespace UserEmu.Syscalls.Strace;

/// <summary>The text after " = ": the result by the table's <see cref="ReturnKind"/>, errors as -1 ENOENT (message), and the notes strace adds.</summary>
public static class StraceReturn
{
    public static void Append(StringBuilder sb, TraceCall call)
    {
        var entry = call.Entry;
        if (entry?.Return == ReturnKind.NoReturn)
        {
            sb.Append('?');
            return;
        }
        long r = call.Result;
        int err = ErrnoNames.FromResult(r);
        if (err != 0)
        {
            // The kernel's restart codes never reach a process; strace shows them as "?".
            sb.Append(err is >= 512 and <= 516 ? "? " : "-1 ").Append(ErrnoNames.Name(err)).Append(" (").Append(ErrnoNames.Message(err)).Append(')');
            return;
        }
        if (entry == null)
        {
            sb.Append(r);
            return;
        }
        switch (entry.Name)
        {
            case "fcntl": Fcntl(sb, call); return;
            case "umask":
                // %#lo: 0 or 0 followed by the octal digits.
                sb.Append(r == 0 ? "0" : "0" + Convert.ToString(r, 8));
                return;
            case "poll" or "ppoll": Poll(sb, call); return;
            case "select" or "pselect6": Select(sb, call); return;
            case "time":
                sb.Append(r);
                if (StructDecoders.Date(r) is { } date) sb.Append(" (").Append(date).Append(')');
                return;
        }
        if (entry.Return == ReturnKind.Hex) Hex(sb, (ulong)r);
        else sb.Append(r);
    }

    static void Fcntl(StringBuilder sb, TraceCall call)
    {
        long r = call.Result;
        switch ((int)call.Arg(1))
        {
            case FileNames.F_GETFL:
                Hex(sb, (ulong)r);
                sb.Append(" (flags ");
                FlagDecoders.OpenFlags(sb, (ulong)r);
                sb.Append(')');
                break;
            case FileNames.F_GETFD when r != 0:
                Hex(sb, (ulong)r);
                sb.Append(" (flags ");
                FileNames.FdFlags.Append(sb, (ulong)r);
                sb.Append(')');
                break;
            case FileNames.F_GETOWN or FileNames.F_GETSIG or FileNames.F_GETLEASE or FileNames.F_GET_SEALS when r != 0:
                Hex(sb, (ulong)r);
                break;
            default:
                sb.Append(r);
                break;
        }
    }

    static void Poll(StringBuilder sb, TraceCall call)
    {
        sb.Append(call.Result);
        ulong timeout = call.Name == "ppoll" ? call.Arg(2) : 0;
        if (call.Result == 0 && timeout == 0)
        {
            sb.Append(" (Timeout)");
            return;
        }
        sb.Append(" (");
        if (call.Result > 0) StructDecoders.PollFds(sb, call.Mem, call.Arg(0), call.Arg(1), revents: true);
        else sb.Append("Timeout");
        if (timeout != 0)
        {
            sb.Append(", left ");
            StructDecoders.Timespec(sb, call.Mem, timeout);
        }
        sb.Append(')');
    }

    static void Select(StringBuilder sb, TraceCall call)
    {
        sb.Append(call.Result);
        ulong timeout = call.Arg(4);
        if (call.Result == 0 && timeout == 0)
        {
            sb.Append(" (Timeout)");
            return;
        }
        sb.Append(" (");
        int before = sb.Length;
        if (call.Result == 0) sb.Append("Timeout");
        else
        {
            string[] names = ["in", "out", "except"];
            long nfds = (int)call.Arg(0);
            for (int k = 0; k < 3; k++)
            {
                ulong set = call.Arg(1 + k);
                if (set == 0) continue;
                int mark = sb.Length;
                if (sb.Length > before) sb.Append(", ");
                sb.Append(names[k]).Append(' ');
                int listStart = sb.Length;
                StructDecoders.BitList(sb, call.Mem, set, nfds);
                if (sb.Length - listStart == 2) sb.Length = mark; // an empty set is not listed
            }
        }
        if (timeout != 0)
        {
            sb.Append(", left ");
            if (call.Name == "select") StructDecoders.Timeval(sb, call.Mem, timeout);
            else StructDecoders.Timespec(sb, call.Mem, timeout);
        }
        sb.Append(')');
    }
}
