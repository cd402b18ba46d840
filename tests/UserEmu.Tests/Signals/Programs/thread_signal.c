/* tgkill to another thread: its handler runs on that thread, and its futex wait returns EINTR.
   The signal is repeated until the wait has returned, in case the first one landed before the thread went to sleep. */
#include "rt.h"
static int word, ready, handler_tid; static long wait_result = 99;
static void on_usr2(int sig) { handler_tid = (int)sys0(SYS_gettid); }
static int worker(void* arg) {
    __atomic_store_n(&ready, 1, __ATOMIC_SEQ_CST);
    wait_result = futex(&word, 128, 0, 0, 0, 0);
    return 0;
}
void _start(void) {
    sigact(12, on_usr2, 0, 0);
    static thread_t t;
    thread_start(&t, worker, 0);
    int tid = t.tid;
    while (!__atomic_load_n(&ready, __ATOMIC_SEQ_CST)) sys0(SYS_sched_yield);
    sleep_ms(50);
    say("tgkill", sys3(SYS_tgkill, sys0(SYS_getpid), tid, 12));
    /* Repeats may find the thread gone (ESRCH): only the first result is printed. */
    while (__atomic_load_n(&wait_result, __ATOMIC_SEQ_CST) == 99) { sleep_ms(50); sys3(SYS_tgkill, sys0(SYS_getpid), tid, 12); }
    thread_join(&t);
    say("handled_on_worker", handler_tid == tid);
    say("futex_wait", wait_result);
    exit_group(0);
}
