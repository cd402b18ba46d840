using System.Text;
using UserEmu.Syscalls.Strace.Names;
using UserEmu.Syscalls.Table;
using static UserEmu.Syscalls.Handlers.SysVIpcAbi;
using static UserEmu.Syscalls.Strace.StraceFormat;

namespace UserEmu.Syscalls.Strace.Decoders;

/// <summary>Decoders of the System V IPC arguments (strace's ipc_*.c): keys, flags with modes, ctl commands and their structures, sembuf arrays, message buffers.</summary>
/// <remarks>Structures are read in the x86-64 layouts of <see cref="Handlers.SysVIpcAbi"/>.</remarks>
public static class IpcDecoders
{
    public static void Append(StringBuilder sb, TraceCall call, int i)
    {
        ulong v = call.Arg(i);
        var spec = call.Spec(i);
        switch (spec.Kind)
        {
            case ArgKind.IpcKey:
                if ((uint)v == 0) sb.Append("IPC_PRIVATE");
                else sb.Append($"0x{(uint)v:x}");
                break;
            case ArgKind.IpcGetFlags: GetFlags(sb, (uint)v, call.Name == "shmget"); break;
            case ArgKind.ShmatFlags: IpcNames.ShmatFlags.Append(sb, (uint)v); break;
            case ArgKind.IpcMsgFlags: IpcNames.MsgFlags.Append(sb, (uint)v); break;
            case ArgKind.IpcCtlCmd: Ctl(sb, call, i); break;
            case ArgKind.SembufIn: Sembufs(sb, call, v, spec.Len >= 0 ? (uint)call.Arg(spec.Len) : 0); break;
            case ArgKind.MsgbufIn or ArgKind.MsgbufOut: Msgbuf(sb, call, v, spec.Len >= 0 ? call.Arg(spec.Len) : 0); break;
        }
    }

    /// <summary>IPC_CREAT|IPC_EXCL|0600; shmget's huge page size as 21&lt;&lt;SHM_HUGE_SHIFT.</summary>
    static void GetFlags(StringBuilder sb, uint v, bool shm)
    {
        uint flags = v & ~0x1FFu;
        uint huge = shm ? flags & ((uint)IpcNames.SHM_HUGE_MASK << IpcNames.SHM_HUGE_SHIFT) : 0;
        flags &= ~huge;
        if (flags != 0)
        {
            (shm ? IpcNames.ShmResourceFlags : IpcNames.ResourceFlags).Append(sb, flags);
            sb.Append('|');
        }
        if (huge != 0) sb.Append(huge >> IpcNames.SHM_HUGE_SHIFT).Append("<<SHM_HUGE_SHIFT|");
        Octal(sb, v & 0x1FF);
    }

    /// <summary>The command, then the structure argument as strace shows it for that command.</summary>
    static void Ctl(StringBuilder sb, TraceCall call, int i)
    {
        uint raw = (uint)call.Arg(i);
        int cmd = (int)(raw & ~(uint)IpcNames.IPC_64);
        if ((raw & IpcNames.IPC_64) != 0) sb.Append("IPC_64|");
        var names = call.Name switch { "shmctl" => IpcNames.ShmctlCommands, "semctl" => IpcNames.SemctlCommands, _ => IpcNames.MsgctlCommands };
        names.Append(sb, cmd);
        if (i + 1 >= call.Entry!.Args.Length) return;
        ulong a = call.Arg(i + 1);
        sb.Append(", ");
        var mem = call.Mem;
        if (cmd == IPC_SET)
        {
            if (Unreadable(sb, mem, a, call.Name == "shmctl" ? ShmidDsSize : call.Name == "semctl" ? SemidDsSize : MsqidDsSize)) return;
            DsName(sb, call.Name);
            Perm(sb, mem, a, full: false);
            if (call.Name == "msgctl") sb.Append(", msg_qbytes=").Append(At<ulong>(mem, a + 88));
            sb.Append('}');
            return;
        }
        bool stat = cmd == IPC_STAT || (call.Name == "shmctl" ? cmd is SHM_STAT or SHM_STAT_ANY
            : call.Name == "semctl" ? cmd is SEM_STAT or SEM_STAT_ANY : cmd is MSG_STAT or MSG_STAT_ANY);
        bool info = cmd == IPC_INFO || cmd == (call.Name == "shmctl" ? SHM_INFO : call.Name == "semctl" ? SEM_INFO : MSG_INFO);
        if ((!stat && !info) || !call.Succeeded)
        {
            Pointer(sb, a);
            return;
        }
        switch (call.Name)
        {
            case "shmctl" when stat: ShmidDs(sb, mem, a); break;
            case "shmctl" when cmd == IPC_INFO:
                if (Unreadable(sb, mem, a, ShmInfoSize)) return;
                Fields(sb, mem, a, 8, "shmmax", "shmmin", "shmmni", "shmseg", "shmall");
                break;
            case "shmctl":
                if (Unreadable(sb, mem, a, ShmStatsSize)) return;
                sb.Append("{used_ids=").Append(At<int>(mem, a));
                sb.Append(", shm_tot=").Append(At<ulong>(mem, a + 8)).Append(", shm_rss=").Append(At<ulong>(mem, a + 16));
                sb.Append(", shm_swp=").Append(At<ulong>(mem, a + 24)).Append(", swap_attempts=").Append(At<ulong>(mem, a + 32));
                sb.Append(", swap_successes=").Append(At<ulong>(mem, a + 40)).Append('}');
                break;
            case "semctl" when stat:
                if (Unreadable(sb, mem, a, SemidDsSize)) return;
                sb.Append("{sem_perm=");
                Perm(sb, mem, a, full: true);
                sb.Append(", sem_otime=").Append(At<ulong>(mem, a + 48)).Append(", sem_ctime=").Append(At<ulong>(mem, a + 64));
                sb.Append(", sem_nsems=").Append(At<ulong>(mem, a + 80)).Append('}');
                break;
            case "semctl":
                if (Unreadable(sb, mem, a, SemInfoSize)) return;
                IntFields(sb, mem, a, "semmap", "semmni", "semmns", "semmnu", "semmsl", "semopm", "semume", "semusz", "semvmx", "semaem");
                break;
            case "msgctl" when stat:
                if (Unreadable(sb, mem, a, MsqidDsSize)) return;
                sb.Append("{msg_perm=");
                Perm(sb, mem, a, full: true);
                sb.Append(", msg_stime=").Append(At<ulong>(mem, a + 48)).Append(", msg_rtime=").Append(At<ulong>(mem, a + 56));
                sb.Append(", msg_ctime=").Append(At<ulong>(mem, a + 64)).Append(", msg_qnum=").Append(At<ulong>(mem, a + 80));
                sb.Append(", msg_qbytes=").Append(At<ulong>(mem, a + 88)).Append(", msg_lspid=").Append(At<int>(mem, a + 96));
                sb.Append(", msg_lrpid=").Append(At<int>(mem, a + 100)).Append('}');
                break;
            default:
                if (Unreadable(sb, mem, a, MsgInfoSize)) return;
                IntFields(sb, mem, a, "msgpool", "msgmap", "msgmax", "msgmnb", "msgmni", "msgssz", "msgtql");
                sb.Length--; // reopen the struct for msgseg, an unsigned short
                sb.Append(", msgseg=").Append(At<ushort>(mem, a + 28)).Append('}');
                break;
        }
    }

    static void DsName(StringBuilder sb, string call) =>
        sb.Append(call switch { "shmctl" => "{shm_perm=", "semctl" => "{sem_perm=", _ => "{msg_perm=" });

    static void ShmidDs(StringBuilder sb, TraceMemory mem, ulong a)
    {
        if (Unreadable(sb, mem, a, ShmidDsSize)) return;
        sb.Append("{shm_perm=");
        Perm(sb, mem, a, full: true);
        sb.Append(", shm_segsz=").Append(At<ulong>(mem, a + 48));
        sb.Append(", shm_cpid=").Append(At<int>(mem, a + 80)).Append(", shm_lpid=").Append(At<int>(mem, a + 84));
        sb.Append(", shm_nattch=").Append(At<ulong>(mem, a + 88));
        sb.Append(", shm_atime=").Append(At<ulong>(mem, a + 56)).Append(", shm_dtime=").Append(At<ulong>(mem, a + 64));
        sb.Append(", shm_ctime=").Append(At<ulong>(mem, a + 72)).Append('}');
    }

    /// <summary>struct ipc64_perm: {uid=0, gid=0, mode=0600, key=0, cuid=0, cgid=0}; IPC_SET shows only what it sets.</summary>
    static void Perm(StringBuilder sb, TraceMemory mem, ulong a, bool full)
    {
        sb.Append("{uid=");
        Id(sb, At<uint>(mem, a + 4));
        sb.Append(", gid=");
        Id(sb, At<uint>(mem, a + 8));
        sb.Append(", mode=");
        Octal(sb, At<ushort>(mem, a + 20));
        if (full)
        {
            sb.Append(", key=").Append(At<uint>(mem, a)).Append(", cuid=");
            Id(sb, At<uint>(mem, a + 12));
            sb.Append(", cgid=");
            Id(sb, At<uint>(mem, a + 16));
        }
        sb.Append('}');
    }

    static void Id(StringBuilder sb, uint id)
    {
        if (id == uint.MaxValue) sb.Append("-1");
        else sb.Append(id);
    }

    static void Fields(StringBuilder sb, TraceMemory mem, ulong a, int size, params string[] names)
    {
        sb.Append('{');
        for (int k = 0; k < names.Length; k++)
        {
            if (k > 0) sb.Append(", ");
            sb.Append(names[k]).Append('=').Append(size == 8 ? At<ulong>(mem, a + (ulong)(k * 8)) : (ulong)At<uint>(mem, a + (ulong)(k * 4)));
        }
        sb.Append('}');
    }

    static void IntFields(StringBuilder sb, TraceMemory mem, ulong a, params string[] names)
    {
        sb.Append('{');
        for (int k = 0; k < names.Length; k++)
        {
            if (k > 0) sb.Append(", ");
            sb.Append(names[k]).Append('=').Append(At<int>(mem, a + (ulong)(k * 4)));
        }
        sb.Append('}');
    }

    /// <summary>struct sembuf[]: [{sem_num=0, sem_op=-1, sem_flg=IPC_NOWAIT}, ...], at most -s elements.</summary>
    static void Sembufs(StringBuilder sb, TraceCall call, ulong a, uint count)
    {
        var mem = call.Mem;
        if (a == 0)
        {
            sb.Append("NULL");
            return;
        }
        if (count == 0)
        {
            Pointer(sb, a);
            return;
        }
        if (!mem.CanRead(a, SembufSize))
        {
            Pointer(sb, a);
            return;
        }
        sb.Append('[');
        for (uint k = 0; k < count; k++)
        {
            if (k > 0) sb.Append(", ");
            if (k == call.StringLimit)
            {
                sb.Append("...");
                break;
            }
            ulong e = a + k * SembufSize;
            if (!mem.CanRead(e, SembufSize))
            {
                sb.Append("... /* ");
                Pointer(sb, e);
                sb.Append(" */");
                break;
            }
            sb.Append("{sem_num=").Append(At<ushort>(mem, e)).Append(", sem_op=").Append(At<short>(mem, e + 2)).Append(", sem_flg=");
            IpcNames.SemopFlags.Append(sb, At<ushort>(mem, e + 4));
            sb.Append('}');
        }
        sb.Append(']');
    }

    /// <summary>struct msgbuf: {mtype=2, mtext="hello\0"}, the text shown for the call's size argument (cut at -s).</summary>
    static void Msgbuf(StringBuilder sb, TraceCall call, ulong a, ulong size)
    {
        var mem = call.Mem;
        // strace reads the msgbuf_t { long mtype; char mtext[1]; } (16 bytes) before the text.
        if (Unreadable(sb, mem, a, 16)) return;
        sb.Append("{mtype=").Append(At<long>(mem, a)).Append(", mtext=");
        int want = (int)Math.Min(size, (ulong)call.StringLimit);
        var text = mem.Span(a + 8, want);
        if (text.Length < want) Pointer(sb, a + 8);
        else Quote(sb, text, call.StringLimit, more: size > (ulong)call.StringLimit);
        sb.Append('}');
    }

}
