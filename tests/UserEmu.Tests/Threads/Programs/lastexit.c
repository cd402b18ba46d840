/* The main thread exits first with exit(); the process ends when the last thread does, with the leader's status. */
#include "rt.h"
static int worker(void* arg) { sleep_ms(100); puts_("last thread\n"); return 9; }
void _start(void) {
    static thread_t t;
    thread_start(&t, worker, 0);
    sys1(SYS_exit, 4);
    for (;;);
}
