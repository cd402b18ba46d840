/* 64 threads hammer futex mutexes, a futex-based semaphore ring and atomics; exact totals, no hang. */
#include "rt.h"
#define N 64
#define ROUNDS 400
static int mutexes[4]; static long guarded[4];
static long xadd_total, cas_total; static int xchg_flag;
static int sem;   /* counting semaphore: tokens passed between threads through futex wait/wake */
static void sem_post(void) { __atomic_fetch_add(&sem, 1, __ATOMIC_RELEASE); futex(&sem, 129, 1, 0, 0, 0); }
static void sem_wait(void) {
    for (;;) {
        int v = __atomic_load_n(&sem, __ATOMIC_ACQUIRE);
        if (v > 0 && __atomic_compare_exchange_n(&sem, &v, v - 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) return;
        if (v == 0) futex(&sem, 128, 0, 0, 0, 0);
    }
}
static int worker(void* arg) {
    long id = (long)arg;
    for (int i = 0; i < ROUNDS; i++) {
        int m = (id + i) & 3;
        lock(&mutexes[m]); guarded[m] += id; unlock(&mutexes[m]);
        __atomic_fetch_add(&xadd_total, i, __ATOMIC_SEQ_CST);
        long old = __atomic_load_n(&cas_total, __ATOMIC_RELAXED);
        while (!__atomic_compare_exchange_n(&cas_total, &old, old + 2, 1, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {}
        while (__atomic_exchange_n(&xchg_flag, 1, __ATOMIC_ACQUIRE)) sys0(SYS_sched_yield);
        __atomic_store_n(&xchg_flag, 0, __ATOMIC_RELEASE);
        if ((i & 15) == 0) { sem_post(); sem_wait(); }
    }
    return 0;
}
void _start(void) {
    static thread_t t[N];
    for (long i = 0; i < N; i++) if (thread_start(&t[i], worker, (void*)i) <= 0) exit_group(2);
    for (int i = 0; i < N; i++) thread_join(&t[i]);
    say("guarded", guarded[0] + guarded[1] + guarded[2] + guarded[3]);
    say("xadd", xadd_total);
    say("cas", cas_total);
    say("sem", sem);
    exit_group(0);
}
