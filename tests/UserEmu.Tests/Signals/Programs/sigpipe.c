/* Writing to a pipe with no reader: EPIPE and SIGPIPE to a handler, then death by SIGPIPE (status 141) once it is default. */
#include "rt.h"
static int got;
static void on_pipe(int sig) { got = sig; }
void _start(void) {
    int fds[2];
    sys1(SYS_pipe, fds);
    sys1(SYS_close, fds[0]);
    sigact(13, on_pipe, 0, 0);
    say("write", sys3(SYS_write, fds[1], "x", 1));
    say("got", got);
    sigact(13, 0, 0, 0);
    sys3(SYS_write, fds[1], "x", 1);
    puts_("not reached\n");
    exit_group(0);
}
