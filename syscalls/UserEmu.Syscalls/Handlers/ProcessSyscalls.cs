using UserEmu.Engine;
using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>The process and its threads: exit, ids, process groups and sessions, thread bookkeeping, wait, umask.</summary>
public static unsafe class ProcessSyscalls
{
    /// <summary>exit(status): ends the calling thread; when it is the last one, the process exits with the status.</summary>
    public static long Exit(in SyscallContext c)
    {
        int status = (int)c.A0 & 0xff;
        if (c.Process.Threads.Count > 1) throw new GuestThreadExitException(status);
        throw new GuestExitException(status);
    }

    /// <summary>exit_group(status): ends every thread of the process.</summary>
    public static long ExitGroup(in SyscallContext c) => throw new GuestExitException((int)c.A0 & 0xff);

    public static long Getpid(in SyscallContext c) => c.Kernel.Pid;

    public static long Getppid(in SyscallContext c) => Sys.Call(HostNr.Getppid);

    /// <summary>gettid: each guest thread runs on its own host thread and takes that thread's id.</summary>
    public static long Gettid(in SyscallContext c) => c.Cpu.Tid != 0 ? c.Cpu.Tid : c.Kernel.Pid;

    public static long Getpgrp(in SyscallContext c) => Sys.Call(HostNr.Getpgrp);

    public static long Getpgid(in SyscallContext c) => Sys.Call(HostNr.Getpgid, (long)c.A0);

    public static long Setpgid(in SyscallContext c) => Sys.Call(HostNr.Setpgid, (long)c.A0, (long)c.A1);

    public static long Getsid(in SyscallContext c) => Sys.Call(HostNr.Getsid, (long)c.A0);

    public static long Setsid(in SyscallContext c) => Sys.Call(HostNr.Setsid);

    public static long Umask(in SyscallContext c) => Sys.Call(HostNr.Umask, (long)c.A0);

    /// <summary>set_tid_address(tidptr): remembered for thread exit (zeroed and futex-woken), returns the caller's tid.</summary>
    public static long SetTidAddress(in SyscallContext c)
    {
        c.Cpu.ClearChildTid = c.A0;
        return Gettid(c);
    }

    /// <summary>struct robust_list_head: list, futex_offset, list_op_pending.</summary>
    const ulong RobustListHeadSize = 24;

    public static long SetRobustList(in SyscallContext c)
    {
        if (c.A1 != RobustListHeadSize) return -Errno.EINVAL;
        c.Cpu.RobustList = c.A0;
        c.Cpu.RobustListLength = c.A1;
        return 0;
    }

    /// <summary>get_robust_list(pid, head_ptr, len_ptr) for the caller (pid 0) or another thread of this process.</summary>
    public static long GetRobustList(in SyscallContext c)
    {
        int tid = (int)c.A0;
        var target = tid == 0 || tid == c.Cpu.Tid ? c.Cpu : c.Process.Threads.Find(tid);
        if (target == null) return -Errno.ESRCH;
        c.Mem.Write64(c.A1, target.RobustList);
        c.Mem.Write64(c.A2, target.RobustListLength);
        return 0;
    }

    /// <summary>rseq: not provided, and silently so: glibc treats ENOSYS as "no rseq" and carries on, as under QEMU.</summary>
    /// <remarks>Registering would oblige the emulator to abort guest critical sections on preemption and migration.</remarks>
    public static long Rseq(in SyscallContext c) => -Errno.ENOSYS;

    /// <summary>wait4(pid, wstatus, options, rusage): children are host children, so the host reports them.</summary>
    public static long Wait4(in SyscallContext c) =>
        Sys.Call(HostNr.Wait4, (long)c.A0, (long)c.OutOrNull(c.A1, 4), (long)c.A2, (long)c.OutOrNull(c.A3, SystemInfoSyscalls.RusageSize));

    /// <summary>waitid(idtype, id, siginfo, options, rusage).</summary>
    public static long Waitid(in SyscallContext c) =>
        Sys.Call(HostNr.Waitid, (long)c.A0, (long)c.A1, (long)c.OutOrNull(c.A2, 128), (long)c.A3,
            (long)c.OutOrNull(c.A4, SystemInfoSyscalls.RusageSize));

    public const int PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4,
        PR_GET_TIMERSLACK = 30, PR_SET_TIMERSLACK = 29, PR_SET_NAME = 15, PR_GET_NAME = 16, PR_CAPBSET_READ = 23,
        PR_SET_CHILD_SUBREAPER = 36, PR_GET_CHILD_SUBREAPER = 37, PR_SET_NO_NEW_PRIVS = 38, PR_GET_NO_NEW_PRIVS = 39;

    /// <summary>prctl: the thread name on the guest's comm, a few process attributes that mean the same for the emulator, -EINVAL otherwise.</summary>
    /// <remarks>
    /// Options are passed to the host only when they carry plain values and affect nothing but what the guest asked
    /// for (death signal, dumpability, subreaper, no_new_privs, timer slack). Seccomp, PR_SET_MM, PR_SET_VMA and the
    /// rest would reach into the emulator itself, and get -EINVAL as from a kernel without them.
    /// </remarks>
    public static long Prctl(in SyscallContext c)
    {
        switch ((int)c.A0)
        {
            case PR_SET_NAME:
            {
                // As strncpy_from_user(comm, arg, 15): stops at the NUL or after 15 bytes; a fault on the way is EFAULT.
                Span<byte> name = stackalloc byte[15];
                int n = 0;
                for (; n < name.Length; n++)
                {
                    byte b = c.Mem.Read8(c.A1 + (ulong)n);
                    if (b == 0) break;
                    name[n] = b;
                }
                c.Process.Comm = System.Text.Encoding.UTF8.GetString(name[..n]);
                // The host thread takes the name too, so ps, top and pgrep show the guest's names.
                Span<byte> host = stackalloc byte[16];
                host.Clear();
                name[..n].CopyTo(host);
                fixed (byte* h = host) Sys.Call(HostNr.Prctl, PR_SET_NAME, (long)h, 0, 0, 0);
                return 0;
            }
            case PR_GET_NAME:
            {
                Span<byte> buf = stackalloc byte[16];
                buf.Clear();
                byte[] comm = System.Text.Encoding.UTF8.GetBytes(c.Process.Comm);
                comm.AsSpan(0, Math.Min(comm.Length, 15)).CopyTo(buf);
                c.Mem.WriteBytes(c.A1, buf);
                return 0;
            }
            case PR_GET_PDEATHSIG:
            case PR_GET_CHILD_SUBREAPER:
                return Sys.Call(HostNr.Prctl, (long)c.A0, (long)c.Out(c.A1, 4), 0, 0, 0);
            case PR_SET_PDEATHSIG:
            case PR_GET_DUMPABLE:
            case PR_SET_DUMPABLE:
            case PR_CAPBSET_READ:
            case PR_SET_CHILD_SUBREAPER:
            case PR_SET_NO_NEW_PRIVS:
            case PR_GET_NO_NEW_PRIVS:
            case PR_GET_TIMERSLACK:
            case PR_SET_TIMERSLACK:
                return Sys.Call(HostNr.Prctl, (long)c.A0, (long)c.A1, (long)c.A2, (long)c.A3, (long)c.A4);
            default:
                return -Errno.EINVAL;
        }
    }
}
