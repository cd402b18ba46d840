/* The CPU-time interval timers: ITIMER_PROF (user and system time, SIGPROF) and ITIMER_VIRTUAL (user time, SIGVTALRM)
   fire, with their interval, while the process spins; getitimer reports what is left; an unknown timer is EINVAL; a
   forked child inherits no interval timer. A POSIX timer on the process's CPU clock fires likewise. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t fired[32];

static void on_signal(int sig) { fired[sig]++; }

static long wall_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Spins until the timer has fired three times (10 ms apart), or 20 s of wall time went by. */
static void three_times(int which, int sig, const char *name)
{
    signal(sig, on_signal);
    struct itimerval it = { { 0, 10000 }, { 0, 10000 } };
    if (setitimer(which, &it, NULL) != 0) { printf("%s: setitimer: %s\n", name, strerror(errno)); return; }
    volatile unsigned long spin = 0;
    long end = wall_ms() + 20000;
    while (fired[sig] < 3 && wall_ms() < end) spin++;
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(which, &off, NULL);
    printf("%s: %s\n", name, fired[sig] >= 3 ? "fired three times" : "did not fire");
}

/* A POSIX timer on the process's CPU clock, SIGUSR1 every 10 ms of CPU time. */
static void cpu_clock_timer(void)
{
    signal(SIGUSR1, on_signal);
    struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
    timer_t id;
    if (timer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &id) != 0) { printf("timer_create: %s\n", strerror(errno)); return; }
    struct itimerspec its = { { 0, 10000000 }, { 0, 10000000 } };
    timer_settime(id, 0, &its, NULL);
    volatile unsigned long spin = 0;
    long end = wall_ms() + 20000;
    while (fired[SIGUSR1] < 3 && wall_ms() < end) spin++;
    timer_delete(id);
    printf("CLOCK_PROCESS_CPUTIME_ID timer: %s\n", fired[SIGUSR1] >= 3 ? "fired three times" : "did not fire");
}

int main(void)
{
    three_times(ITIMER_PROF, SIGPROF, "ITIMER_PROF");
    three_times(ITIMER_VIRTUAL, SIGVTALRM, "ITIMER_VIRTUAL");
    cpu_clock_timer();
    struct itimerval it = { { 0, 0 }, { 100, 0 } }, left;
    setitimer(ITIMER_PROF, &it, NULL);
    getitimer(ITIMER_PROF, &left);
    printf("left: %s\n", left.it_value.tv_sec > 0 && left.it_value.tv_sec <= 100 && left.it_interval.tv_sec == 0 ? "at most the 100 s set" : "wrong");
    it.it_value.tv_sec = 0;
    setitimer(ITIMER_PROF, &it, NULL);
    getitimer(ITIMER_PROF, &left);
    printf("disarmed: %s\n", left.it_value.tv_sec == 0 && left.it_value.tv_usec == 0 ? "yes" : "no");
    printf("which 3: %s\n", setitimer(3, &it, NULL) == -1 && errno == EINVAL ? "EINVAL" : "accepted");
    it.it_value.tv_sec = 100;
    setitimer(ITIMER_REAL, &it, NULL);
    setitimer(ITIMER_PROF, &it, NULL);
    fflush(stdout);
    if (fork() == 0) {
        struct itimerval real, prof;
        getitimer(ITIMER_REAL, &real);
        getitimer(ITIMER_PROF, &prof);
        printf("child: %s\n", real.it_value.tv_sec == 0 && prof.it_value.tv_sec == 0 ? "no timers" : "inherited timers");
        return 0;
    }
    wait(NULL);
    getitimer(ITIMER_REAL, &left);
    printf("parent: %s\n", left.it_value.tv_sec > 0 ? "still armed" : "disarmed");
    return 0;
}
