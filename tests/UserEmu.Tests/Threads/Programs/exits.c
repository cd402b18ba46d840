/* exit vs exit_group: the main thread leaves with exit() while a worker runs on, then the worker ends the group. */
#include "rt.h"
static int worker(void* arg) {
    sleep_ms(100);
    puts_("worker still running\n");
    exit_group(7);
    return 0;
}
void _start(void) {
    static thread_t t;
    thread_start(&t, worker, 0);
    puts_("main exits\n");
    sys1(SYS_exit, 3);
    for (;;);
}
