/* glibc timers: SIGEV_THREAD (glibc's helper thread takes the kernel's SIGEV_THREAD_ID signal) and SIGEV_THREAD_ID with an absolute time. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <stdatomic.h>
static atomic_int fired; static pid_t main_tid; static volatile pid_t handler_tid;
static void cb(union sigval v) { atomic_fetch_add(&fired, v.sival_int); }
static void on_sig(int s) { handler_tid = syscall(SYS_gettid); }
int main(void) {
    main_tid = syscall(SYS_gettid);
    struct sigevent ev = {0}; ev.sigev_notify = SIGEV_THREAD; ev.sigev_notify_function = cb; ev.sigev_value.sival_int = 5;
    timer_t t; if (timer_create(CLOCK_MONOTONIC, &ev, &t)) { perror("timer_create"); return 1; }
    struct itimerspec its = { {0, 0}, {0, 10000000} };
    timer_settime(t, 0, &its, NULL);
    for (int i = 0; i < 1000 && !atomic_load(&fired); i++) usleep(5000);
    printf("sigev_thread fired=%d\n", atomic_load(&fired));
    signal(SIGUSR1, on_sig);
    struct sigevent e2 = {0}; e2.sigev_notify = SIGEV_THREAD_ID; e2.sigev_signo = SIGUSR1; e2._sigev_un._tid = main_tid;
    timer_t t2; timer_create(CLOCK_REALTIME, &e2, &t2);
    struct timespec now; clock_gettime(CLOCK_REALTIME, &now);
    struct itimerspec abs = { {0, 0}, { now.tv_sec, now.tv_nsec } }; abs.it_value.tv_nsec += 10000000; if (abs.it_value.tv_nsec >= 1000000000) { abs.it_value.tv_sec++; abs.it_value.tv_nsec -= 1000000000; }
    timer_settime(t2, TIMER_ABSTIME, &abs, NULL);
    for (int i = 0; i < 1000 && !handler_tid; i++) usleep(5000);
    printf("thread_id timer on main=%d\n", handler_tid == main_tid);
    return 0;
}
