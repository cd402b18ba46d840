/* A thread spinning in a loop with no system call (native code branching back to itself) while another thread sends
   it a signal, forks and joins it: the signal's handler must run in the spinning thread, and the fork's child must run. */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int started, stop, handled;
static volatile long passes;

static void on_usr1(int sig) { (void)sig; handled = 1; }

static void *spin(void *arg)
{
    (void)arg;
    started = 1;
    while (!stop) passes++;
    return NULL;
}

int main(void)
{
    signal(SIGUSR1, on_usr1);
    pthread_t t;
    pthread_create(&t, NULL, spin, NULL);
    while (!started) sched_yield();
    // Let the loop get hot enough for native code first.
    for (int i = 0; i < 200; i++) sched_yield();
    pthread_kill(t, SIGUSR1);
    while (!handled) sched_yield();
    printf("usr1: handled in the spinning thread\n");
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) _exit(7);
    int status = 0;
    waitpid(child, &status, 0);
    printf("fork: child exited %d\n", WEXITSTATUS(status));
    stop = 1;
    pthread_join(t, NULL);
    printf("spinner: stopped after %s\n", passes > 0 ? "some passes" : "no passes");
    return 0;
}
