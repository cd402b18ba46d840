/* A thousand threads alive at once (each waits at a barrier), then joined: each returns its own number. */
#include <pthread.h>
#include <stdio.h>

enum { N = 1000 };
static pthread_barrier_t all_started;

static void *body(void *arg)
{
    pthread_barrier_wait(&all_started);
    return (void *)((long)arg * 3);
}

int main(void)
{
    static pthread_t t[N];
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    pthread_barrier_init(&all_started, NULL, N + 1);
    for (long i = 0; i < N; i++)
        if (pthread_create(&t[i], &attr, body, (void *)i) != 0) { printf("create %ld failed\n", i); return 1; }
    pthread_barrier_wait(&all_started);
    long sum = 0;
    for (int i = 0; i < N; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (long)r;
    }
    printf("%d threads joined, sum %ld\n", N, sum);
    return 0;
}
