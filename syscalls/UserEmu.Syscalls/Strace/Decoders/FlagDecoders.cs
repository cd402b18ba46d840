using System.Text;
using UserEmu.Syscalls.Strace.Names;
using UserEmu.Syscalls.Table;
using static UserEmu.Syscalls.Strace.StraceFormat;

namespace UserEmu.Syscalls.Strace.Decoders;

/// <summary>Decoders of arguments held in the register itself: numbers, identities, flags and enumerations.</summary>
public static class FlagDecoders
{
    public static void Append(StringBuilder sb, TraceCall call, int i)
    {
        ulong v = call.Arg(i);
        switch (call.Kind(i))
        {
            case ArgKind.Int when i == 2 && call.Kind(1) == ArgKind.SocketType: Protocol(sb, (int)call.Arg(0), (int)v); break;
            case ArgKind.Int or ArgKind.Fd or ArgKind.Pid: sb.Append((int)v); break;
            case ArgKind.AtDirFd:
                if ((int)v == -100) sb.Append("AT_FDCWD");
                else sb.Append((int)v);
                break;
            case ArgKind.Uid or ArgKind.Gid:
                if ((uint)v == uint.MaxValue) sb.Append("-1");
                else sb.Append((uint)v);
                break;
            case ArgKind.Long: sb.Append((long)v); break;
            case ArgKind.UInt: sb.Append((uint)v); break;
            case ArgKind.ULong: sb.Append(v); break;
            case ArgKind.Hex: Hex(sb, v); break;
            case ArgKind.Ptr: Pointer(sb, v); break;
            case ArgKind.OpenFlags:
                // pipe2 and dup3 take only O_CLOEXEC-style flags: strace shows no access mode there.
                if (call.Name is "pipe2" or "dup3") FileNames.OpenFlags.Append(sb, (uint)v);
                else OpenFlags(sb, v);
                break;
            case ArgKind.Mode: Octal(sb, v & 0xFFFFFFFF); break;
            case ArgKind.AtFlags:
                (call.Name == "statx" ? FileNames.StatxAtFlags : FileNames.AtFlags).Append(sb, (uint)v);
                break;
            case ArgKind.AccessMode: FileNames.AccessMode.Append(sb, (uint)v, "F_OK"); break;
            case ArgKind.Whence: FileNames.Whence.Append(sb, (int)v); break;
            case ArgKind.RenameFlags: FileNames.RenameFlags.Append(sb, (uint)v); break;
            case ArgKind.StatxMask: FileNames.StatxMask.Append(sb, (uint)v); break;
            case ArgKind.FcntlCmd: Fcntl(sb, call, i); break;
            case ArgKind.IoctlCmd: IoctlDecoders.Append(sb, call, i); break;
            case ArgKind.FlockOp: FileNames.FlockOp.Append(sb, (uint)v); break;
            case ArgKind.FadviseAdvice: FileNames.FadviseAdvice.Append(sb, (int)v); break;
            case ArgKind.FallocateMode: FileNames.FallocateMode.Append(sb, (uint)v); break;
            case ArgKind.MmapProt: MemoryNames.Prot.Append(sb, v & 0xFFFFFFFF, "PROT_NONE"); break;
            case ArgKind.MmapFlags: MmapFlags(sb, v); break;
            case ArgKind.MremapFlags: MemoryNames.MremapFlags.Append(sb, (uint)v); break;
            case ArgKind.MadviseAdvice: MemoryNames.MadviseAdvice.Append(sb, (int)v); break;
            case ArgKind.MsyncFlags: MemoryNames.MsyncFlags.Append(sb, (uint)v); break;
            case ArgKind.ClockId: ProcessNames.Clocks.Append(sb, (int)v); break;
            case ArgKind.ItimerWhich: ProcessNames.ItimerWhich.Append(sb, (int)v); break;
            case ArgKind.TimerFlags: ProcessNames.TimerFlags.Append(sb, (uint)v); break;
            case ArgKind.WaitOptions: ProcessNames.WaitOptions.Append(sb, (uint)v); break;
            case ArgKind.IdType: ProcessNames.IdTypes.Append(sb, (int)v); break;
            case ArgKind.CloneFlags:
                if (call.Name == "clone") Clone(sb, call);
                else CloneFlags(sb, v);
                break;
            case ArgKind.FutexOp: Futex(sb, call, i); break;
            case ArgKind.PrctlOption: Prctl(sb, call, i); break;
            case ArgKind.ArchPrctlCode: ProcessNames.ArchPrctlCodes.Append(sb, (int)v); break;
            case ArgKind.RlimitResource: ProcessNames.RlimitResources.Append(sb, (int)v); break;
            case ArgKind.RusageWho: ProcessNames.RusageWho.Append(sb, (int)v); break;
            case ArgKind.SchedPolicy: ProcessNames.SchedPolicies.Append(sb, (int)v); break;
            case ArgKind.EpollCtlOp: NetworkNames.EpollOps.Append(sb, (int)v); break;
            case ArgKind.SocketFamily: NetworkNames.Families.Append(sb, (int)v); break;
            case ArgKind.SocketType: SocketType(sb, v); break;
            case ArgKind.SockOptLevel: NetworkNames.SockOptLevels.Append(sb, (int)v); break;
            case ArgKind.SockOptName: SockOptName(sb, call, i); break;
            case ArgKind.MsgFlags: NetworkNames.MsgFlags.Append(sb, (uint)v); break;
            case ArgKind.ShutdownHow: NetworkNames.ShutdownHow.Append(sb, (int)v); break;
            case ArgKind.GetrandomFlags: ProcessNames.GetrandomFlags.Append(sb, (uint)v); break;
            default: sb.Append($"0x{v:x}").Append(" /* ").Append(call.Kind(i)).Append(" */"); break;
        }
    }

    /// <summary>O_RDONLY|O_CLOEXEC: the access mode always, then the flags in strace's order.</summary>
    public static void OpenFlags(StringBuilder sb, ulong v)
    {
        uint f = (uint)v;
        // O_TMPFILE includes O_DIRECTORY and is printed instead of it.
        sb.Append(FileNames.AccessModes[f & FileNames.O_ACCMODE]);
        uint rest = f & ~(uint)FileNames.O_ACCMODE;
        if (rest == 0) return;
        sb.Append('|');
        FileNames.OpenFlags.Append(sb, rest);
    }

    static void MmapFlags(StringBuilder sb, ulong v)
    {
        uint f = (uint)v;
        uint type = f & 0xf;
        if (type != 0)
        {
            MemoryNames.MapType.Append(sb, type);
            f &= ~0xfu;
            if (f != 0) sb.Append('|');
        }
        if (f != 0 || type == 0) MemoryNames.MapFlags.Append(sb, f);
    }

    /// <summary>clone flags with the exit signal in the low byte: CLONE_VM|...|SIGCHLD.</summary>
    public static void CloneFlags(StringBuilder sb, ulong v)
    {
        ulong sig = v & ProcessNames.CSIGNAL, flags = v & ~ProcessNames.CSIGNAL;
        if (flags != 0) ProcessNames.CloneFlags.Append(sb, flags);
        if (sig == 0)
        {
            if (flags == 0) sb.Append('0');
            return;
        }
        if (flags != 0) sb.Append('|');
        sb.Append(SignalNames.Name((int)sig));
    }

    /// <summary>clone(child_stack=, flags=, parent_tid=[N], child_tidptr=, tls=) in strace's x86-64 argument order.</summary>
    static void Clone(StringBuilder sb, TraceCall call)
    {
        ulong flags = call.Arg(0);
        sb.Append("child_stack=");
        Pointer(sb, call.Arg(1));
        sb.Append(", flags=");
        CloneFlags(sb, flags);
        if ((flags & (ProcessNames.CLONE_PARENT_SETTID | ProcessNames.CLONE_PIDFD)) != 0)
        {
            sb.Append((flags & ProcessNames.CLONE_PARENT_SETTID) != 0 ? ", parent_tid=" : ", pidfd=");
            if (call.Succeeded && call.Mem.TryRead(call.Arg(2), out int tid)) sb.Append('[').Append(tid).Append(']');
            else Pointer(sb, call.Arg(2));
        }
        if ((flags & (ProcessNames.CLONE_CHILD_SETTID | ProcessNames.CLONE_CHILD_CLEARTID)) != 0)
        {
            sb.Append(", child_tidptr=");
            Pointer(sb, call.Arg(3));
        }
        if ((flags & ProcessNames.CLONE_SETTLS) != 0)
        {
            sb.Append(", tls=");
            Pointer(sb, call.Arg(4));
        }
    }

    static void SocketType(StringBuilder sb, ulong v)
    {
        uint t = (uint)v;
        NetworkNames.SocketTypes.Append(sb, t & 0xf);
        if ((t & ~0xfu) == 0) return;
        sb.Append('|');
        NetworkNames.SocketTypeFlags.Append(sb, t & ~0xfu);
    }

    /// <summary>socket's protocol, named by the family as strace does (IPPROTO_TCP, NETLINK_ROUTE).</summary>
    static void Protocol(StringBuilder sb, int family, int protocol)
    {
        if (family is NetworkNames.AF_INET or NetworkNames.AF_INET6) NetworkNames.InetProtocols.Append(sb, protocol);
        else if (family == NetworkNames.AF_NETLINK) NetworkNames.NetlinkProtocols.Append(sb, protocol);
        else sb.Append(protocol);
    }

    static void SockOptName(StringBuilder sb, TraceCall call, int i)
    {
        int level = i > 0 ? (int)call.Arg(i - 1) : -1;
        var names = level switch { NetworkNames.SOL_SOCKET => NetworkNames.SocketOptions, NetworkNames.SOL_TCP => NetworkNames.TcpOptions, _ => null };
        if (names != null) names.Append(sb, (int)call.Arg(i));
        else sb.Append((int)call.Arg(i));
    }

    /// <summary>The third argument of fcntl exists for commands that take one; strace hides it otherwise.</summary>
    public static bool FcntlHasArg(int cmd) => cmd switch
    {
        FileNames.F_GETFD or FileNames.F_GETFL or FileNames.F_GETOWN or FileNames.F_GETSIG or FileNames.F_GETLEASE
            or FileNames.F_GETPIPE_SZ or FileNames.F_GET_SEALS => false,
        _ => true,
    };

    static void Fcntl(StringBuilder sb, TraceCall call, int i)
    {
        int cmd = (int)call.Arg(i);
        FileNames.FcntlCmd.Append(sb, cmd);
        if (!FcntlHasArg(cmd) || i + 1 >= call.Entry!.Args.Length) return;
        ulong arg = call.Arg(i + 1);
        sb.Append(", ");
        switch (cmd)
        {
            case FileNames.F_SETFD: FileNames.FdFlags.Append(sb, (uint)arg); break;
            case FileNames.F_SETFL: OpenFlags(sb, arg); break;
            case FileNames.F_DUPFD or FileNames.F_DUPFD_CLOEXEC or FileNames.F_SETOWN or FileNames.F_SETPIPE_SZ or FileNames.F_NOTIFY:
                sb.Append((int)arg);
                break;
            case FileNames.F_SETSIG: sb.Append(SignalNames.Name((int)arg)); break;
            case FileNames.F_ADD_SEALS: FileNames.SealFlags.Append(sb, (uint)arg); break;
            default: Pointer(sb, arg); break;
        }
    }

    /// <summary>futex(uaddr, op, ...): the arguments after op depend on the command, as strace prints them.</summary>
    static void Futex(StringBuilder sb, TraceCall call, int i)
    {
        int op = (int)call.Arg(i);
        int cmd = op & ~(ProcessNames.FUTEX_PRIVATE_FLAG | ProcessNames.FUTEX_CLOCK_REALTIME);
        if ((uint)cmd < (uint)ProcessNames.FutexCommands.Length)
        {
            sb.Append(ProcessNames.FutexCommands[cmd]);
            if ((op & ProcessNames.FUTEX_PRIVATE_FLAG) != 0) sb.Append("_PRIVATE");
            if ((op & ProcessNames.FUTEX_CLOCK_REALTIME) != 0) sb.Append("|FUTEX_CLOCK_REALTIME");
        }
        else
        {
            Hex(sb, (uint)op);
            sb.Append(" /* FUTEX_??? */");
        }
        ulong val = call.Arg(i + 1), timeout = call.Arg(i + 2), uaddr2 = call.Arg(i + 3), val3 = call.Arg(i + 4);
        sb.Append(", ").Append((int)val);
        switch (cmd)
        {
            case ProcessNames.FUTEX_WAIT:
                sb.Append(", ");
                StructDecoders.Timespec(sb, call.Mem, timeout);
                break;
            case ProcessNames.FUTEX_WAIT_BITSET:
                sb.Append(", ");
                StructDecoders.Timespec(sb, call.Mem, timeout);
                sb.Append(", ");
                Bitset(sb, val3);
                break;
            case ProcessNames.FUTEX_WAKE_BITSET:
                sb.Append(", ");
                Bitset(sb, val3);
                break;
            case ProcessNames.FUTEX_REQUEUE:
                sb.Append(", ").Append((uint)timeout).Append(", ");
                Pointer(sb, uaddr2);
                break;
            case ProcessNames.FUTEX_CMP_REQUEUE or ProcessNames.FUTEX_CMP_REQUEUE_PI:
                sb.Append(", ").Append((uint)timeout).Append(", ");
                Pointer(sb, uaddr2);
                sb.Append(", ").Append((int)val3);
                break;
            case ProcessNames.FUTEX_WAKE_OP:
                sb.Append(", ").Append((uint)timeout).Append(", ");
                Pointer(sb, uaddr2);
                sb.Append(", ");
                Hex(sb, (uint)val3);
                break;
            case ProcessNames.FUTEX_LOCK_PI or ProcessNames.FUTEX_LOCK_PI2 or ProcessNames.FUTEX_WAIT_REQUEUE_PI:
                sb.Append(", ");
                StructDecoders.Timespec(sb, call.Mem, timeout);
                if (cmd == ProcessNames.FUTEX_WAIT_REQUEUE_PI)
                {
                    sb.Append(", ");
                    Pointer(sb, uaddr2);
                }
                break;
        }
    }

    static void Bitset(StringBuilder sb, ulong v)
    {
        if ((uint)v == uint.MaxValue) sb.Append("FUTEX_BITSET_MATCH_ANY");
        else Hex(sb, (uint)v);
    }

    /// <summary>prctl(option, ...): the options guests use most are decoded; others show their four arguments in hex.</summary>
    static void Prctl(StringBuilder sb, TraceCall call, int i)
    {
        int option = (int)call.Arg(i);
        ProcessNames.PrctlOptions.Append(sb, option);
        ulong a = call.Arg(i + 1);
        switch (option)
        {
            case ProcessNames.PR_SET_NAME:
                sb.Append(", ");
                var name = call.Mem.CString(a, 15, out bool term);
                if (name.IsEmpty && a != 0 && !call.Mem.CanRead(a, 1)) Pointer(sb, a);
                else Quote(sb, name, 16, more: !term && name.Length >= 15);
                break;
            case ProcessNames.PR_GET_NAME:
                sb.Append(", ");
                if (call.Succeeded) Quote(sb, call.Mem.CString(a, 15, out _), 16);
                else Pointer(sb, a);
                break;
            case ProcessNames.PR_SET_PDEATHSIG:
                sb.Append(", ").Append(SignalNames.Name((int)a));
                break;
            case ProcessNames.PR_GET_PDEATHSIG:
                sb.Append(", ");
                if (call.Succeeded && call.Mem.TryRead(a, out int sig)) sb.Append('[').Append(SignalNames.Name(sig)).Append(']');
                else Pointer(sb, a);
                break;
            case ProcessNames.PR_GET_DUMPABLE:
                break;
            case ProcessNames.PR_SET_DUMPABLE:
                sb.Append(", ").Append((long)a);
                break;
            default:
                for (int k = i + 1; k < call.Entry!.Args.Length; k++)
                {
                    sb.Append(", ");
                    Hex(sb, call.Arg(k));
                }
                break;
        }
    }
}
