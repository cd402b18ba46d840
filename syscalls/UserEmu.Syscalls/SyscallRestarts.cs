using UserEmu.Engine;

namespace UserEmu.Syscalls;

/// <summary>Which interrupted syscalls come back after a signal, as the -ERESTART* code each one returns in the kernel.</summary>
/// <remarks>
/// Handlers (and the host, for passed-through calls) just return -EINTR; the bridge picks the restart rule by number
/// and the signal delivery applies it, so the guest sees EINTR or a transparent restart exactly where Linux gives one.
/// </remarks>
public static class SyscallRestarts
{
    // x86-64 numbers of calls that are never restarted after a handler ran (ERESTARTNOHAND / restart_block):
    // the sleeps, the multiplexers, the signal waits (signal(7): "never restarted, regardless of SA_RESTART").
    // A pattern, not a HashSet<ulong> (which has no ReadyToRun code and was JIT-compiled on a program's first signal).
    static bool NoHandler(ulong nr) => nr is
        7 /* poll */ or 23 /* select */ or 34 /* pause */ or 35 /* nanosleep */ or 128 /* rt_sigtimedwait */ or 130 /* rt_sigsuspend */ or
        208 /* io_getevents */ or 220 /* semtimedop */ or 230 /* clock_nanosleep */ or 232 /* epoll_wait */ or 270 /* pselect6 */ or
        271 /* ppoll */ or 281 /* epoll_pwait */ or 441 /* epoll_pwait2 */ or 65 /* semop */ or 69 /* msgsnd */ or 70 /* msgrcv */;

    /// <summary>The restart rule for syscall <paramref name="nr"/>.</summary>
    public static SyscallRestart For(ulong nr) => NoHandler(nr) ? SyscallRestart.UnlessHandler : SyscallRestart.UnlessHandlerWithoutRestart;
}
