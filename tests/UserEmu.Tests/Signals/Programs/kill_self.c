/* kill to self with SA_SIGINFO, SA_RESETHAND and SA_NODEFER; blocked signals stay pending; a reset handler then kills. */
#include "rt.h"
static int depth, maxdepth;
static void on_usr1(int sig, siginfo* si, void* uc) {
    say("usr1_code", si->code);
    say("usr1_pid_ok", si->u.kill.pid == sys0(SYS_getpid));
    say("usr1_masked_in_handler", (uc_sigmask(uc) & BIT(10)) != 0);
}
static void on_usr2(int sig) {
    depth++; if (depth > maxdepth) maxdepth = depth;
    if (depth < 3) sys2(SYS_kill, sys0(SYS_getpid), 12); /* NODEFER: nests */
    depth--;
}
void _start(void) {
    long pid = sys0(SYS_getpid);
    sigact(10, on_usr1, SA_SIGINFO | SA_RESETHAND, 0);
    sigact(12, on_usr2, SA_NODEFER, 0);
    sys2(SYS_kill, pid, 12);
    say("nested", maxdepth);
    sigmask(0, BIT(10), 0);
    sys2(SYS_kill, pid, 10);
    u64 pend = 0; sys2(SYS_rt_sigpending, &pend, 8);
    say("pending_usr1", (pend & BIT(10)) != 0);
    sigmask(1, BIT(10), 0);   /* unblock: delivered now */
    sys2(SYS_rt_sigpending, &pend, 8);
    say("pending_after", pend);
    struct ksigaction now; sys4(SYS_rt_sigaction, 10, 0, &now, 8);
    say("reset_to_default", (long)now.handler);
    puts_("raising again\n");
    sys3(SYS_tgkill, pid, sys0(SYS_gettid), 10); /* default action: terminate, status 138 */
    puts_("not reached\n");
    exit_group(0);
}
