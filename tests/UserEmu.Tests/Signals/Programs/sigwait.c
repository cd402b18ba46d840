/* Blocked signals: rt_sigtimedwait takes them (with a timeout when none comes), rt_sigsuspend waits with a temporary mask. */
#include "rt.h"
static int handled; static u64 mask_in_handler;
static void on_usr1(int sig, siginfo* si, void* uc) { handled++; mask_in_handler = uc_sigmask(uc); }
void _start(void) {
    long pid = sys0(SYS_getpid);
    sigmask(0, BIT(10) | BIT(12), 0);
    siginfo si;
    struct timespec ts = { 0, 30000000 };
    u64 set = BIT(12);
    say("timedwait_timeout", sys4(SYS_rt_sigtimedwait, &set, &si, &ts, 8));
    sys2(SYS_kill, pid, 12);
    say("timedwait", sys4(SYS_rt_sigtimedwait, &set, &si, &ts, 8));
    say("si_signo", si.signo);
    say("si_code", si.code);
    /* sigqueue with a value */
    siginfo q = { 0 }; q.signo = 12; q.code = -1; q.u.kill.pid = (int)pid; q.u.kill.value = 4242;
    say("sigqueue", sys3(SYS_rt_sigqueueinfo, pid, 12, &q));
    say("timedwait_queued", sys4(SYS_rt_sigtimedwait, &set, &si, &ts, 8));
    say("si_value", (long)si.u.kill.value);
    sigact(10, on_usr1, SA_SIGINFO, 0);
    sys2(SYS_kill, pid, 10);
    say("handled_while_blocked", handled);
    u64 tmp = BIT(12);
    say("sigsuspend", sys2(SYS_rt_sigsuspend, &tmp, 8));
    say("handled", handled);
    say("frame_mask_is_old", mask_in_handler == (BIT(10) | BIT(12)));
    u64 now; sigmask(0, 0, &now);
    say("mask_restored", now == (BIT(10) | BIT(12)));
    exit_group(0);
}
