/* Arms ITIMER_REAL (1.5 s) and ITIMER_PROF, then execs itself (argv[1] "again"): the kernel keeps itimers across an
 * execve, so the new image finds both armed and dies of the SIGALRM while it sleeps. */
#include <stdio.h>
#include <sys/time.h>
#include <unistd.h>

static const char *state(const struct itimerval *t)
{
    return t->it_value.tv_sec || t->it_value.tv_usec ? "armed" : "off";
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        struct itimerval real, prof;
        getitimer(ITIMER_REAL, &real);
        getitimer(ITIMER_PROF, &prof);
        printf("again: real %s, interval %ld; prof %s, interval %ld\n", state(&real), (long)real.it_interval.tv_sec,
               state(&prof), (long)prof.it_interval.tv_sec);
        fflush(stdout);
        sleep(10);
        printf("not reached\n");
        return 0;
    }
    struct itimerval real = { { 0, 0 }, { 1, 500000 } }, prof = { { 7, 0 }, { 100, 0 } };
    setitimer(ITIMER_REAL, &real, 0);
    setitimer(ITIMER_PROF, &prof, 0);
    execl("/proc/self/exe", argv[0], "again", (char *)0);
    perror("execl");
    return 1;
}
