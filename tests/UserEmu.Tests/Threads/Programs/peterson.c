/* Peterson's lock with plain stores and loads ordered only by mfence: exact only if mfence orders stores before later loads. */
#include "rt.h"
#define ITER 50000
static volatile int flag[2], turn; static volatile long counter;
static void enter(int me) {
    int other = 1 - me;
    flag[me] = 1; turn = other;
    __asm__ volatile("mfence" ::: "memory");
    while (flag[other] && turn == other) __asm__ volatile("pause");
}
static void leave(int me) { __asm__ volatile("" ::: "memory"); flag[me] = 0; }
static int worker(void* arg) {
    int me = (int)(long)arg;
    for (int i = 0; i < ITER; i++) { enter(me); counter = counter + 1; leave(me); }
    return 0;
}
void _start(void) {
    thread_t t[2];
    for (long i = 0; i < 2; i++) thread_start(&t[i], worker, (void*)i);
    for (int i = 0; i < 2; i++) thread_join(&t[i]);
    say("counter", counter);
    exit_group(0);
}
