/* Blocking socket calls and guest signals: EINTR without SA_RESTART, a transparent restart with it. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define SHOW(what, expr) do { errno = 0; long r_ = (long)(expr); printf("%s = %ld errno=%d\n", what, r_, r_ < 0 ? errno : 0); } while (0)

static volatile int alarms;
static void on_alarm(int s) { alarms++; }

static void handler(int flags) {
    struct sigaction sa = { 0 };
    sa.sa_handler = on_alarm; sa.sa_flags = flags;
    sigaction(SIGALRM, &sa, NULL);
}

static void fire_in_ms(int ms) {
    struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };
    setitimer(ITIMER_REAL, &it, NULL);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    char buf[16] = { 0 };

    handler(0);
    fire_in_ms(50);
    SHOW("recv, handler without SA_RESTART", recv(sv[0], buf, sizeof buf, 0));
    printf("alarms=%d\n", alarms);

    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    bind(l, (struct sockaddr*)&(struct sockaddr_un_short { sa_family_t f; } ){ AF_UNIX }, sizeof(sa_family_t));
    listen(l, 1);
    fire_in_ms(50);
    SHOW("accept, handler without SA_RESTART", accept(l, NULL, NULL));
    printf("alarms=%d\n", alarms);

    /* With SA_RESTART the recv goes on after the handler and gets the child's data. */
    handler(SA_RESTART);
    pid_t pid = fork();
    if (pid == 0) {
        usleep(300000);
        write(sv[1], "late", 4);
        _exit(0);
    }
    fire_in_ms(50);
    SHOW("recv, handler with SA_RESTART", recv(sv[0], buf, sizeof buf, 0));
    printf("got %s alarms=%d\n", buf, alarms);
    waitpid(pid, NULL, 0);

    /* A socket with a receive timeout is not restarted: EINTR even with SA_RESTART. */
    struct timeval tv = { 2, 0 };
    setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    fire_in_ms(50);
    SHOW("recv with SO_RCVTIMEO, handler with SA_RESTART", recv(sv[0], buf, sizeof buf, 0));
    printf("alarms=%d\n", alarms);
    return 0;
}
