/* Futexes shared between processes: a pshared mutex and condition variable in MAP_SHARED memory, a named POSIX
   semaphore, and a robust mutex whose owner process dies holding it. Waiter and waker are different processes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct shared
{
    pthread_mutex_t lock;
    pthread_cond_t ready;
    int stage;
    long counter;
    pthread_mutex_t robust;
};

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct shared *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&s->lock, &ma);
    pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&s->robust, &ma);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    pthread_cond_init(&s->ready, &ca);

    char name[64];
    snprintf(name, sizeof name, "/useremu-test-%d", getpid());
    sem_t *sem = sem_open(name, O_CREAT | O_EXCL, 0600, 0);
    if (sem == SEM_FAILED) { perror("sem_open"); return 1; }
    sem_unlink(name);

    /* 1. Two children add to a counter under the shared mutex; the parent waits on the condition for both. */
    for (int k = 0; k < 2; k++)
        if (fork() == 0)
        {
            for (int i = 0; i < 2000; i++)
            {
                pthread_mutex_lock(&s->lock);
                s->counter++;
                pthread_mutex_unlock(&s->lock);
            }
            pthread_mutex_lock(&s->lock);
            s->stage++;
            pthread_cond_broadcast(&s->ready);
            pthread_mutex_unlock(&s->lock);
            _exit(0);
        }
    pthread_mutex_lock(&s->lock);
    while (s->stage < 2) pthread_cond_wait(&s->ready, &s->lock);
    pthread_mutex_unlock(&s->lock);
    printf("counter %ld stage %d\n", s->counter, s->stage);

    /* 2. The parent blocks on the semaphore until a child posts it (after a pause, so the parent really sleeps). */
    if (fork() == 0)
    {
        usleep(100000);
        sem_post(sem);
        sem_post(sem);
        _exit(0);
    }
    sem_wait(sem);
    sem_wait(sem);
    int v = -1;
    sem_getvalue(sem, &v);
    printf("semaphore taken twice, value %d\n", v);

    /* 3. A child takes the robust mutex and exits holding it; the parent, already waiting, gets EOWNERDEAD. */
    pid_t owner = fork();
    if (owner == 0)
    {
        pthread_mutex_lock(&s->robust);
        sem_post(sem);
        usleep(100000);
        _exit(7);
    }
    sem_wait(sem);
    int r = pthread_mutex_lock(&s->robust);
    printf("robust lock: %s\n", r == EOWNERDEAD ? "EOWNERDEAD" : strerror(r));
    if (r == EOWNERDEAD) pthread_mutex_consistent(&s->robust);
    pthread_mutex_unlock(&s->robust);

    int status, children = 0;
    while (wait(&status) > 0) children++;
    printf("children %d, last status %d\n", children, WEXITSTATUS(status));
    return 0;
}
