/* Waits in pause() for SIGINT from outside (the test sends it until the process ends, in case one lands before pause). */
#include "rt.h"
static volatile int got;
static void on_int(int sig) { got = sig; }
void _start(void) {
    sigact(2, on_int, 0, 0);
    puts_("ready\n");
    long r = sys0(SYS_pause);
    say("pause", r);
    say("got", got);
    exit_group(0);
}
