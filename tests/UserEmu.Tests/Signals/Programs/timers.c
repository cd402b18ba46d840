/* POSIX timers: SIGEV_SIGNAL with a sigval, periodic expiries counted with pause, timer_gettime, timer_delete. */
#include "rt.h"
static int ticks; static long value_seen, code_seen;
static void on_rt(int sig, siginfo* si, void* uc) { ticks++; value_seen = (long)si->u.kill.value; code_seen = si->code; }
void _start(void) {
    sigact(40, on_rt, SA_SIGINFO, 0);
    struct { u64 value; int signo, notify; int tid; int pad[11]; } ev = { 777, 40, 0 };
    int id = -1;
    say("create", sys3(SYS_timer_create, 1, &ev, &id));
    say("id", id);
    struct { struct timespec interval, value; } its = { { 0, 20000000 }, { 0, 20000000 } }, cur;
    say("settime", sys4(SYS_timer_settime, id, 0, &its, 0));
    while (ticks < 3) sys0(SYS_pause);
    say("ticks_at_least_3", ticks >= 3);
    say("value", value_seen);
    say("code", code_seen);
    sys2(SYS_timer_gettime, id, &cur);
    say("interval_ns", cur.interval.nsec);
    say("delete", sys1(SYS_timer_delete, id));
    say("delete_again", sys1(SYS_timer_delete, id));
    exit_group(0);
}
