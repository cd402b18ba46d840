/* alarm interrupts a blocking pipe read: EINTR without SA_RESTART; with SA_RESTART the read resumes and gets data. */
#include "rt.h"
static int fds[2], alarms;
static void on_alrm(int sig) { alarms++; if (alarms == 2) sys3(SYS_write, fds[1], "x", 1); }
void _start(void) {
    sys1(SYS_pipe, fds);
    sigact(14, on_alrm, 0, 0);
    say("alarm_prev", sys1(SYS_alarm, 1));
    char c;
    say("read_eintr", sys3(SYS_read, fds[0], &c, 1));
    say("alarms", alarms);
    sigact(14, on_alrm, SA_RESTART, 0);
    struct { i64 isec, iusec, vsec, vusec; } it = { 0, 0, 0, 300000 }, cur;
    say("setitimer", sys3(SYS_setitimer, 0, &it, 0));
    sys2(SYS_getitimer, 0, &cur);
    say("itimer_running", cur.vsec == 0 && cur.vusec > 0 && cur.vusec <= 300000);
    say("read_restarted", sys3(SYS_read, fds[0], &c, 1));
    say("alarms", alarms);
    say("alarm_none", sys1(SYS_alarm, 0));
    exit_group(0);
}
