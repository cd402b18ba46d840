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
    static readonly HashSet<ulong> NoHandler =
    [
        7 /* poll */, 23 /* select */, 34 /* pause */, 35 /* nanosleep */, 128 /* rt_sigtimedwait */, 130 /* rt_sigsuspend */,
        208 /* io_getevents */, 220 /* semtimedop */, 230 /* clock_nanosleep */, 232 /* epoll_wait */, 270 /* pselect6 */,
        271 /* ppoll */, 281 /* epoll_pwait */, 441 /* epoll_pwait2 */, 65 /* semop */, 69 /* msgsnd */, 70 /* msgrcv */,
    ];

    /// <summary>The restart rule for syscall <paramref name="nr"/>.</summary>
    public static SyscallRestart For(ulong nr) => NoHandler.Contains(nr) ? SyscallRestart.UnlessHandler : SyscallRestart.UnlessHandlerWithoutRestart;
}
