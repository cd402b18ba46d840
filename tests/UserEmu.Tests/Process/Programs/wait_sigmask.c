/* The sigmask argument of pselect, ppoll and epoll_pwait is in force during the wait only: a pending SIGCHLD that
   it unblocks interrupts the call at once (make's jobserver waits so), and the old mask is back afterwards. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int got, blocked_in_handler;

static void on_child(int s)
{
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    got = s;
    blocked_in_handler = sigismember(&now, SIGUSR1);
}

static int chld_blocked(void)
{
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    return sigismember(&now, SIGCHLD);
}

static void child_exits(void)
{
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    usleep(100000); /* its SIGCHLD is pending now, and blocked */
    waitpid(pid, NULL, 0);
}

static void report(const char *call, int n)
{
    printf("%s: %d %s, handler %d (SIGUSR1 blocked in it: %d), SIGCHLD blocked after: %d\n", call, n,
           n < 0 ? strerror(errno) : "", got, blocked_in_handler, chld_blocked());
    got = 0;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct sigaction sa = { .sa_handler = on_child };
    sigaction(SIGCHLD, &sa, NULL);
    sigset_t block, during;
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, NULL);
    sigemptyset(&during);
    sigaddset(&during, SIGUSR1);
    int p[2];
    if (pipe(p) != 0) return 1;
    struct timespec ts = { 5, 0 }, none = { 0, 20000000 };

    child_exits();
    fd_set r;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    report("pselect", pselect(p[0] + 1, &r, NULL, NULL, &ts, &during));

    child_exits();
    struct pollfd pfd = { .fd = p[0], .events = POLLIN };
    report("ppoll", ppoll(&pfd, 1, &ts, &during));

    child_exits();
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = { .events = EPOLLIN }, out;
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    report("epoll_pwait", epoll_pwait(ep, &out, 1, 5000, &during));

    /* Nothing pending: the call times out and the mask it installed is gone again. */
    report("ppoll, nothing pending", ppoll(&pfd, 1, &none, &during));
    return 0;
}
