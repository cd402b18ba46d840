using System.Text;
using UserEmu.Syscalls.Table;

namespace UserEmu.Syscalls.Strace.Decoders;

/// <summary>Prints one syscall argument the way strace does, by its <see cref="ArgKind"/> from the syscall table.</summary>
/// <remarks>The decoders live in one file per family: numbers, flags and enums; strings and buffers; structs; signals.</remarks>
public static class ArgDecoder
{
    /// <summary>Kinds the kernel fills in: strace prints them after the call returns, and only their address when it failed.</summary>
    public static bool IsOutput(ArgKind kind) => kind switch
    {
        ArgKind.BufOut or ArgKind.PathOut or ArgKind.IovecOut or ArgKind.StatOut or ArgKind.StatxOut or ArgKind.StatfsOut
            or ArgKind.DirentsOut or ArgKind.PipeFdsOut or ArgKind.SigSetOut or ArgKind.SigActionOut or ArgKind.SigInfoOut
            or ArgKind.StackOut or ArgKind.TimespecOut or ArgKind.TimevalOut or ArgKind.ItimervalOut or ArgKind.ItimerspecOut
            or ArgKind.WaitStatusOut or ArgKind.RlimitOut or ArgKind.RusageOut or ArgKind.UtsnameOut or ArgKind.SysinfoOut
            or ArgKind.TmsOut or ArgKind.CpuSetOut or ArgKind.EpollEventsOut or ArgKind.SockAddrOut or ArgKind.SockLenInOut
            or ArgKind.MsghdrOut or ArgKind.TimeOut or ArgKind.MsgbufOut => true,
        _ => false,
    };

    /// <summary>Whether strace shows argument <paramref name="i"/> at all (some depend on another argument: open's mode, fcntl's third).</summary>
    public static bool IsShown(TraceCall call, int i)
    {
        var args = call.Entry!.Args;
        var kind = args[i].Kind;
        if (i > 0 && kind == ArgKind.Mode && args[i - 1].Kind == ArgKind.OpenFlags)
            return (call.Arg(i - 1) & Names.FileNames.O_CREAT) != 0 || (call.Arg(i - 1) & Names.FileNames.O_TMPFILE) == Names.FileNames.O_TMPFILE;
        for (int k = 0; k < i; k++)
            if (ConsumesFollowing(args[k].Kind)) return false;
        return true;
    }

    /// <summary>Kinds whose decoder also prints the arguments after them, since their meaning depends on it (futex op, fcntl cmd, prctl option, clone flags, ioctl request, IPC ctl command).</summary>
    public static bool ConsumesFollowing(ArgKind kind) =>
        kind is ArgKind.FutexOp or ArgKind.FcntlCmd or ArgKind.PrctlOption or ArgKind.CloneFlags or ArgKind.IoctlCmd or ArgKind.IpcCtlCmd;

    /// <summary>Index of the first argument printed when the call returns (strace prints the rest at entry); the arity if none.</summary>
    public static int FirstExitArg(TraceCall call)
    {
        var args = call.Entry!.Args;
        for (int i = 0; i < args.Length; i++)
        {
            var k = args[i].Kind;
            // clone's parent_tid is written by the call; prctl(PR_GET_NAME), fcntl(F_GETLK), ioctl(TCGETS) and shmctl(IPC_STAT) fill their argument.
            if (IsOutput(k) || (k == ArgKind.CloneFlags && i == 0) || k is ArgKind.PrctlOption or ArgKind.FcntlCmd or ArgKind.IoctlCmd or ArgKind.IpcCtlCmd) return i;
        }
        return args.Length;
    }

    static long s_failures;

    /// <summary>How many arguments fell back to their raw value because a decoder threw (a bug; tests expect 0).</summary>
    public static long DecodeFailures => Interlocked.Read(ref s_failures);

    /// <summary>Appends argument <paramref name="i"/> of <paramref name="call"/>.</summary>
    /// <remarks>A decoder bug must not take the guest down with it: the argument then shows as its raw value.</remarks>
    public static void Append(StringBuilder sb, TraceCall call, int i)
    {
        int mark = sb.Length;
        try
        {
            AppendDecoded(sb, call, i);
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or OverflowException or InvalidOperationException)
        {
            sb.Length = mark;
            StraceFormat.Hex(sb, call.Arg(i));
            Interlocked.Increment(ref s_failures);
        }
    }

    static void AppendDecoded(StringBuilder sb, TraceCall call, int i)
    {
        var kind = call.Kind(i);
        ulong v = call.Arg(i);
        if (IsOutput(kind) && call.Exited && !call.Succeeded && kind != ArgKind.SockLenInOut)
        {
            StraceFormat.Pointer(sb, v);
            return;
        }
        switch (kind)
        {
            case ArgKind.Path or ArgKind.StrIn or ArgKind.StrArray or ArgKind.BufIn or ArgKind.BufOut or ArgKind.PathOut
                or ArgKind.IovecIn or ArgKind.IovecOut or ArgKind.DirentsOut:
                BufferDecoders.Append(sb, call, i);
                break;
            case ArgKind.Signal or ArgKind.SigSetIn or ArgKind.SigSetOut or ArgKind.SigprocmaskHow or ArgKind.SigActionIn
                or ArgKind.SigActionOut or ArgKind.SigInfoIn or ArgKind.SigInfoOut or ArgKind.StackIn or ArgKind.StackOut:
                SignalDecoders.Append(sb, call, i);
                break;
            case ArgKind.StatOut or ArgKind.StatxOut or ArgKind.StatfsOut or ArgKind.PipeFdsOut or ArgKind.UtimeTimesIn
                or ArgKind.TimespecIn or ArgKind.TimespecOut or ArgKind.TimevalIn or ArgKind.TimevalOut or ArgKind.ItimervalIn
                or ArgKind.ItimervalOut or ArgKind.ItimerspecIn or ArgKind.ItimerspecOut or ArgKind.WaitStatusOut
                or ArgKind.RlimitIn or ArgKind.RlimitOut or ArgKind.RusageOut or ArgKind.UtsnameOut or ArgKind.SysinfoOut
                or ArgKind.TmsOut or ArgKind.CpuSetIn or ArgKind.CpuSetOut or ArgKind.PollFds or ArgKind.FdSet
                or ArgKind.EpollEventIn or ArgKind.EpollEventsOut or ArgKind.SockAddrIn or ArgKind.SockAddrOut
                or ArgKind.SockLenInOut or ArgKind.MsghdrIn or ArgKind.MsghdrOut or ArgKind.TimeOut:
                StructDecoders.Append(sb, call, i);
                break;
            case ArgKind.IpcKey or ArgKind.IpcGetFlags or ArgKind.ShmatFlags or ArgKind.IpcCtlCmd or ArgKind.SembufIn
                or ArgKind.MsgbufIn or ArgKind.MsgbufOut or ArgKind.IpcMsgFlags:
                IpcDecoders.Append(sb, call, i);
                break;
            default:
                FlagDecoders.Append(sb, call, i);
                break;
        }
    }
}
