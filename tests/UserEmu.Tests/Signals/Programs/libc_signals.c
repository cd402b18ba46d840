/* glibc signal APIs: siglongjmp out of SIGSEGV, SIGFPE, raise, sigaction flags, alarm interrupting read, sigwait, pthread_kill. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile sig_atomic_t got;
static void on_fault(int sig, siginfo_t* si, void* uc) { got = sig; siglongjmp(env, sig); }
static void on_alarm(int sig) { got = sig; }
static void on_usr1(int sig) { got = sig; }
static void* target(void* arg) { sigset_t s; sigemptyset(&s); sigaddset(&s, SIGUSR2); int sig; sigwait(&s, &sig); return (void*)(long)sig; }

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa = { 0 };
    sa.sa_sigaction = on_fault; sa.sa_flags = SA_SIGINFO; sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    int r = sigsetjmp(env, 1);
    if (r == 0) { *(volatile int*)16 = 1; puts("no fault?"); }
    printf("segv recovered: %d\n", r);
    r = sigsetjmp(env, 1);
    if (r == 0) { volatile int z = 0, seven = 7; printf("%d\n", seven / z); }
    printf("fpe recovered: %d\n", r);
    /* The mask was restored by siglongjmp(…, 1): SIGSEGV can be caught again. */
    r = sigsetjmp(env, 1);
    if (r == 0) { *(volatile int*)32 = 1; }
    printf("segv again: %d\n", r);

    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);
    printf("raise: %d\n", got);

    struct sigaction al = { 0 };
    al.sa_handler = on_alarm;
    sigaction(SIGALRM, &al, NULL);
    int fds[2]; pipe(fds);
    alarm(1);
    char c;
    ssize_t n = read(fds[0], &c, 1);
    printf("read: %zd %s got=%d\n", n, n < 0 ? strerror(errno) : "", got);

    sigset_t s; sigemptyset(&s); sigaddset(&s, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    pthread_t t; void* res;
    pthread_create(&t, NULL, target, NULL);
    usleep(20000);
    pthread_kill(t, SIGUSR2);
    pthread_join(t, &res);
    printf("sigwait in thread: %ld\n", (long)res);
    fflush(stdout);
    signal(SIGTERM, SIG_DFL);
    raise(SIGTERM);
    puts("not reached");
    return 0;
}
