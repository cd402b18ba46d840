using UserEmu.Cpu.X86;
using UserEmu.Engine;
using UserEmu.Engine.Proc;
using UserEmu.Engine.Threads;
using UserEmu.Host;
using UserEmu.Syscalls.Host;

namespace UserEmu.Syscalls.Handlers;

/// <summary>fork, vfork and every clone that does not share the address space: a host fork of the whole emulator.</summary>
/// <remarks>
/// Guest pids are host pids: the child is a real host process running a copy of the emulator with a copy of the
/// guest, so wait4, kill and /proc work on it natively. Before forking, the other guest threads are parked at a
/// block boundary (<see cref="ExclusiveSection"/>) so that none holds a runtime lock the child would inherit locked.
/// <para>
/// vfork and clone(CLONE_VM|CLONE_VFORK) (posix_spawn) are a fork whose parent waits until the child execs or exits,
/// as vfork's caller does. Memory is not shared (QEMU does the same): what the child writes before its exec is not seen
/// by the parent. glibc's posix_spawn reports an exec failure through shared memory, so under the emulator that
/// failure shows as a child exiting with status 127 instead of an error from posix_spawn.
/// </para>
/// </remarks>
public static unsafe class ForkSyscalls
{
    const int SIG_BLOCK = 0, SIG_SETMASK = 2;
    const ulong CSIGNAL = 0xff;
    /// <summary>Flags a host fork can honour: the exit signal, the tid and TLS settings, pidfd, and vfork's waiting.</summary>
    const ulong Supported = CSIGNAL | CloneRequest.CLONE_SETTLS | CloneRequest.CLONE_PARENT_SETTID | CloneRequest.CLONE_CHILD_SETTID |
        CloneRequest.CLONE_CHILD_CLEARTID | CloneRequest.CLONE_PIDFD | CloneRequest.CLONE_VFORK | CloneRequest.CLONE_VM |
        CloneRequest.CLONE_DETACHED;
    const int SIGCHLD = 17, O_CLOEXEC = 0x80000, F_DUPFD_CLOEXEC = 1030, RLIMIT_NOFILE = 7;
    const int HostClone = 56, HostPidfdOpen = 434;

    /// <summary>fork(): SIGCHLD to the parent when the child ends.</summary>
    public static long ForkCall(in SyscallContext c) => Fork(c, SIGCHLD, 0, 0, 0, 0);

    /// <summary>vfork(): the parent resumes when the child has called execve or exited.</summary>
    public static long Vfork(in SyscallContext c) => Fork(c, CloneRequest.CLONE_VM | CloneRequest.CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);

    /// <summary>A clone without a shared address space (CLONE_VM only with CLONE_VFORK): returns the child's pid, 0 in the child.</summary>
    public static long Fork(SyscallContext ctx, ulong flags, ulong childStack, ulong parentTidPtr, ulong childTidPtr, ulong tls)
    {
        bool vfork = (flags & CloneRequest.CLONE_VFORK) != 0;
        if ((flags & CloneRequest.CLONE_VM) != 0 && !vfork) return -Errno.EINVAL; // a thread: not a fork
        if ((flags & ~Supported) != 0)
        {
            ctx.Kernel.Warnings.Once($"clone:{flags & ~Supported:x}",
                $"useremu: unsupported clone flags 0x{flags & ~Supported:x} for a new process");
            return -Errno.EINVAL;
        }
        if ((flags & CloneRequest.CLONE_PIDFD) != 0 && (flags & CloneRequest.CLONE_PARENT_SETTID) != 0) return -Errno.EINVAL;
        int exitSignal = (int)(flags & CSIGNAL);
        if (exitSignal > GuestSignals.MaxSignal) return -Errno.EINVAL;

        var cpu = ctx.Cpu;
        var proc = ctx.Process;
        int vforkRead = -1, vforkWrite = -1;
        if (vfork && !VforkPipe(out vforkRead, out vforkWrite)) return -Errno.EAGAIN;

        proc.Options.Log.Flush();
        HostStderr.Messages.Flush();
        proc.Exclusive.Begin(proc.Threads.Count - 1);
        ForkGate.BeforeFork();
        int pid = -1, err = 0;
        // Host signals stay blocked across the fork until the child has put the runtime's handlers back to default:
        // a signal sent to the child before that would run the runtime's handler, which forwards through a pipe the
        // parent shares, and the parent would act on it (a kill of the new process group killed the parent).
        // glibc's sigset_t is 128 bytes even though the kernel reads 8.
        ulong* allSignals = stackalloc ulong[16], savedMask = stackalloc ulong[16];
        new Span<ulong>(allSignals, 16).Fill(~0UL);
        LibC.sigprocmask(SIG_BLOCK, allSignals, savedMask);
        try
        {
            // glibc's fork takes its own locks (malloc's) around the fork; a raw clone is only for other exit signals.
            pid = exitSignal == SIGCHLD ? LibC.fork() : (int)Sys.Call(HostClone, exitSignal);
            if (pid < 0) err = exitSignal == SIGCHLD ? LibC.Errno : -pid;
        }
        finally
        {
            if (pid != 0)
            {
                ForkGate.AfterForkInParent();
                LibC.sigprocmask(SIG_SETMASK, savedMask, null);
                proc.Exclusive.End();
            }
        }

        if (pid == 0)
        {
            int self = (int)Sys.Call(HostNr.Getpid);
            proc.AfterFork(cpu, self);
            ForkGate.AfterForkInChild();
            HostSignalForwarding.AfterForkInChild();
            ForkedChildSignals.Reset(InheritedSignals.Ignored(proc.Signals));
            ctx.Kernel.Timers.AfterForkInChild();
            LibC.sigprocmask(SIG_SETMASK, savedMask, null);
            if (vforkRead >= 0) Sys.Call(HostNr.Close, vforkRead);
            if (vforkWrite >= 0) EmulatorFds.Add(vforkWrite);
            if (childStack != 0) cpu.State->Gpr[CpuState.RSP] = childStack;
            if ((flags & CloneRequest.CLONE_SETTLS) != 0) cpu.State->FsBase = tls;
            if ((flags & CloneRequest.CLONE_CHILD_CLEARTID) != 0) cpu.ClearChildTid = childTidPtr;
            if ((flags & CloneRequest.CLONE_CHILD_SETTID) != 0) TryWrite32(ctx, childTidPtr, (uint)self);
            return 0;
        }

        if (vforkWrite >= 0) Sys.Call(HostNr.Close, vforkWrite);
        if (pid < 0)
        {
            if (vforkRead >= 0) Sys.Call(HostNr.Close, vforkRead);
            return -err;
        }
        if ((flags & CloneRequest.CLONE_PARENT_SETTID) != 0) TryWrite32(ctx, parentTidPtr, (uint)pid);
        if ((flags & CloneRequest.CLONE_PIDFD) != 0)
        {
            long pidfd = Sys.Call(HostPidfdOpen, pid, 0);
            if (pidfd >= 0) Sys.Call(HostNr.Fcntl, pidfd, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */);
            TryWrite32(ctx, parentTidPtr, (uint)pidfd);
        }
        if (vforkRead >= 0) WaitForExecOrExit(vforkRead);
        return pid;
    }

    /// <summary>A close-on-exec pipe whose write end only the child keeps: it reads EOF once the child has exec'd or exited.</summary>
    /// <remarks>The write end is moved high in the descriptor table, away from the numbers the guest child works with.</remarks>
    static bool VforkPipe(out int readEnd, out int writeEnd)
    {
        readEnd = writeEnd = -1;
        int* fds = stackalloc int[2];
        if (Sys.Call(HostNr.Pipe2, (long)fds, O_CLOEXEC) < 0) return false;
        readEnd = fds[0];
        writeEnd = fds[1];
        ulong* lim = stackalloc ulong[2];
        long high = Sys.Call(HostNr.Prlimit64, 0, RLIMIT_NOFILE, 0, (long)lim) == 0 ? (long)Math.Min(lim[0], 1024UL) - 8 : 0;
        if (high > 3)
        {
            long moved = Sys.Call(HostNr.Fcntl, writeEnd, F_DUPFD_CLOEXEC, high);
            if (moved >= 0)
            {
                Sys.Call(HostNr.Close, writeEnd);
                writeEnd = (int)moved;
            }
        }
        return true;
    }

    static void WaitForExecOrExit(int readEnd)
    {
        byte b;
        long n;
        do n = Sys.Call(HostNr.Read, readEnd, (long)&b, 1);
        while (n > 0 || n == -Errno.EINTR);
        Sys.Call(HostNr.Close, readEnd);
    }

    // The kernel ignores a fault on these stores.
    static void TryWrite32(in SyscallContext c, ulong addr, uint value)
    {
        try
        {
            c.Mem.Write32(addr, value);
        }
        catch (Memory.GuestFaultException)
        {
        }
    }
}
