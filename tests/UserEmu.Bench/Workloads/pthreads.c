/* Threads: 4 pthreads add into a mutex-protected sum and bump a shared atomic counter (futex and lock-prefix paths). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define THREADS 4

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long long sum;
static atomic_ulong counter;
static long per_thread;
static pthread_barrier_t start;

static void *work(void *arg)
{
    unsigned long id = (unsigned long)arg;
    /* Start together: without this the first thread can finish before the last is created, and nothing contends. */
    pthread_barrier_wait(&start);
    for (long i = 0; i < per_thread; i++) {
        atomic_fetch_add_explicit(&counter, 1, memory_order_relaxed);
        /* Take the lock every 8th step only, so the run mixes uncontended atomics and contended futex waits. */
        if ((i & 7) == 0) {
            pthread_mutex_lock(&lock);
            sum += (unsigned long long)i * (id + 1);
            pthread_mutex_unlock(&lock);
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    per_thread = argc > 1 ? atol(argv[1]) : 8000000;
    pthread_t t[THREADS];
    pthread_barrier_init(&start, NULL, THREADS);
    for (unsigned long i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, work, (void *)i) != 0) { perror("pthread_create"); return 1; }
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    printf("%d threads x %ld: counter %lu, sum %llu\n", THREADS, per_thread, (unsigned long)atomic_load(&counter), sum);
    return 0;
}
