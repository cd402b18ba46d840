/* Many threads hammering one atomic counter and one futex mutex; joined through CLONE_CHILD_CLEARTID. */
#include "rt.h"
#define N 16
#define ITER 20000
static long atomic_count, locked_count; static int mutex; static int tids[N];
static int worker(void* arg) {
    long id = (long)arg;
    tids[id] = (int)sys0(SYS_gettid);
    for (int i = 0; i < ITER; i++) {
        __atomic_fetch_add(&atomic_count, 1, __ATOMIC_SEQ_CST);
        lock(&mutex); locked_count++; unlock(&mutex);
    }
    return 0;
}
void _start(void) {
    thread_t t[N];
    for (long i = 0; i < N; i++) if (thread_start(&t[i], worker, (void*)i) <= 0) { puts_("clone failed\n"); exit_group(1); }
    for (int i = 0; i < N; i++) thread_join(&t[i]);
    say("atomic", atomic_count);
    say("locked", locked_count);
    int distinct = 1; long me = sys0(SYS_gettid);
    for (int i = 0; i < N; i++) { if (tids[i] == me || tids[i] <= 0) distinct = 0; for (int j = 0; j < i; j++) if (tids[i] == tids[j]) distinct = 0; }
    say("distinct_tids", distinct);
    say("main_is_pid", me == sys0(SYS_getpid));
    exit_group(0);
}
