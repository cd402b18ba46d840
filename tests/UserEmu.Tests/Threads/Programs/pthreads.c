/* glibc pthreads: mutex, condvar, rwlock, barrier, TLS, cancellation, 64 threads, C11 atomics, PI and robust mutexes. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define N 64
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t barrier;
static long shared, ready, readers_seen;
static _Atomic long atomic_sum;
static __thread long tls_value = 5;

static void* worker(void* arg) {
    long id = (long)arg;
    tls_value += id;                       /* each thread has its own copy */
    for (int i = 0; i < 1000; i++) { pthread_mutex_lock(&mutex); shared++; pthread_mutex_unlock(&mutex); }
    for (int i = 0; i < 1000; i++) atomic_fetch_add_explicit(&atomic_sum, id, memory_order_relaxed);
    pthread_rwlock_rdlock(&rw); __atomic_fetch_add(&readers_seen, 1, __ATOMIC_SEQ_CST); pthread_rwlock_unlock(&rw);
    pthread_barrier_wait(&barrier);
    pthread_mutex_lock(&mutex);
    ready++;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&mutex);
    return (void*)(tls_value == 5 + id ? 0L : 1L);
}

static void* sleeper(void* arg) {
    for (;;) { pthread_testcancel(); usleep(1000); }
    return NULL;
}

static pthread_mutex_t pi, robust;
static void* pi_worker(void* arg) {
    for (int i = 0; i < 500; i++) { pthread_mutex_lock(&pi); shared++; pthread_mutex_unlock(&pi); }
    return NULL;
}
static void* die_holding(void* arg) { pthread_mutex_lock(&robust); return NULL; }

int main(void) {
    pthread_t t[N];
    pthread_barrier_init(&barrier, NULL, N);
    for (long i = 0; i < N; i++) if (pthread_create(&t[i], NULL, worker, (void*)i)) { puts("create failed"); return 1; }
    pthread_mutex_lock(&mutex);
    while (ready < N) pthread_cond_wait(&cond, &mutex);
    pthread_mutex_unlock(&mutex);
    long bad = 0;
    for (int i = 0; i < N; i++) { void* r; pthread_join(t[i], &r); bad += (long)r; }
    printf("shared=%ld atomic=%ld readers=%ld tls_bad=%ld main_tls=%ld\n", shared, (long)atomic_sum, readers_seen, bad, tls_value);

    pthread_t s; void* res;
    pthread_create(&s, NULL, sleeper, NULL);
    usleep(20000);
    pthread_cancel(s);
    pthread_join(s, &res);
    printf("cancelled=%d\n", res == PTHREAD_CANCELED);

    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
    pthread_mutex_init(&pi, &a);
    shared = 0;
    for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, pi_worker, NULL);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    printf("pi_shared=%ld\n", shared);

    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&robust, &a);
    pthread_create(&t[0], NULL, die_holding, NULL);
    pthread_join(t[0], NULL);
    int r = pthread_mutex_lock(&robust);
    printf("robust_lock=%s\n", r == EOWNERDEAD ? "EOWNERDEAD" : strerror(r));
    if (r == EOWNERDEAD) pthread_mutex_consistent(&robust);
    pthread_mutex_unlock(&robust);

    struct timespec ts; clock_gettime(CLOCK_REALTIME, &ts); ts.tv_nsec += 20000000; if (ts.tv_nsec >= 1000000000) { ts.tv_sec++; ts.tv_nsec -= 1000000000; }
    pthread_mutex_lock(&mutex);
    r = pthread_cond_timedwait(&cond, &mutex, &ts);
    pthread_mutex_unlock(&mutex);
    printf("timedwait=%s\n", r == ETIMEDOUT ? "ETIMEDOUT" : strerror(r));
    return 0;
}
