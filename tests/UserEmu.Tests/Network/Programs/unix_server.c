/* AF_UNIX server and client across fork: path, abstract and autobound names, accept4 flags, nonblocking accept,
   address truncation and the lengths the kernel writes back. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define SHOW(what, expr) do { errno = 0; long r_ = (long)(expr); printf("%s = %ld errno=%d\n", what, r_, r_ < 0 ? errno : 0); } while (0)

static void serve(struct sockaddr_un* addr, socklen_t len, const char* label) {
    printf("-- %s\n", label);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    SHOW("bind", bind(s, (struct sockaddr*)addr, len));
    SHOW("bind again", bind(s, (struct sockaddr*)addr, len));
    SHOW("listen", listen(s, 4));
    SHOW("accept nonblocking, nobody there", accept(s, NULL, NULL));
    struct sockaddr_un me; socklen_t ml = sizeof me;
    SHOW("getsockname", getsockname(s, (struct sockaddr*)&me, &ml));
    printf("name len matches=%d same bytes=%d\n", ml == len, memcmp(&me, addr, len) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        int c = socket(AF_UNIX, SOCK_STREAM, 0);
        if (connect(c, (struct sockaddr*)addr, len) != 0) { perror("child connect"); _exit(1); }
        struct sockaddr_un peer; socklen_t pl = sizeof peer;
        getpeername(c, (struct sockaddr*)&peer, &pl);
        char msg[64];
        snprintf(msg, sizeof msg, "child sees peer len ok=%d", pl == len);
        write(c, msg, strlen(msg));
        char buf[8];
        read(c, buf, sizeof buf); /* waits for the server's close */
        _exit(7);
    }
    /* Blocking accept with the peer's (unnamed) address, close-on-exec and nonblocking flags on the new fd. */
    int fl = fcntl(s, F_GETFL);
    fcntl(s, F_SETFL, fl & ~O_NONBLOCK);
    struct sockaddr_un peer; socklen_t pl = sizeof peer;
    int a = accept4(s, (struct sockaddr*)&peer, &pl, SOCK_CLOEXEC | SOCK_NONBLOCK);
    printf("accepted=%d peer len=%d family=%d cloexec=%d nonblock=%d\n", a >= 0, (int)pl, peer.sun_family,
           fcntl(a, F_GETFD) & FD_CLOEXEC, (fcntl(a, F_GETFL) & O_NONBLOCK) != 0);
    fcntl(a, F_SETFL, fcntl(a, F_GETFL) & ~O_NONBLOCK);
    char buf[128] = { 0 };
    int n = 0, k;
    while ((k = recv(a, buf + n, sizeof buf - 1 - n, 0)) > 0) { n += k; if (strstr(buf, "=1") || strstr(buf, "=0")) break; }
    printf("server got: %s\n", buf);
    struct sockaddr_un mine; socklen_t xl = 3;
    SHOW("getsockname truncated to 3", getsockname(a, (struct sockaddr*)&mine, &xl));
    printf("full len=%d first bytes family=%d\n", (int)xl, mine.sun_family);
    close(a);
    int st;
    waitpid(pid, &st, 0);
    printf("child status=%#x\n", st);
    close(s);
}

int main(int argc, char** argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    char dir[] = "/tmp/useremu-sock-XXXXXX";
    if (!mkdtemp(dir)) return 2;
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    snprintf(a.sun_path, sizeof a.sun_path, "%s/srv", dir);
    serve(&a, offsetof(struct sockaddr_un, sun_path) + strlen(a.sun_path) + 1, "path");
    SHOW("connect after the server closed", ({ int c = socket(AF_UNIX, SOCK_STREAM, 0); int r = connect(c, (struct sockaddr*)&a, sizeof a); close(c); r; }));
    unlink(a.sun_path);
    SHOW("connect to a missing path", ({ int c = socket(AF_UNIX, SOCK_STREAM, 0); int r = connect(c, (struct sockaddr*)&a, sizeof a); close(c); r; }));
    rmdir(dir);

    struct sockaddr_un ab = { .sun_family = AF_UNIX };
    int nl = snprintf(ab.sun_path + 1, sizeof ab.sun_path - 1, "useremu-abstract-%d", getpid());
    serve(&ab, offsetof(struct sockaddr_un, sun_path) + 1 + nl, "abstract");

    /* Autobind: binding just the family gives an abstract name of 5 hex digits. */
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    SHOW("autobind", bind(s, (struct sockaddr*)&(struct sockaddr_un){ .sun_family = AF_UNIX }, sizeof(sa_family_t)));
    struct sockaddr_un me; socklen_t ml = sizeof me;
    getsockname(s, (struct sockaddr*)&me, &ml);
    printf("autobound len=%d abstract=%d\n", (int)ml, me.sun_path[0] == 0);

    /* The kernel's address checks. */
    SHOW("bind len 200", bind(s, (struct sockaddr*)&a, 200));
    SHOW("bind len -1", bind(s, (struct sockaddr*)&a, -1));
    SHOW("bind bad pointer", bind(s, (struct sockaddr*)8, sizeof a));
    SHOW("bind bad fd, bad pointer", bind(1000, (struct sockaddr*)8, sizeof a));
    SHOW("connect bad fd, bad pointer", connect(1000, (struct sockaddr*)8, sizeof a));
    SHOW("bind wrong family", bind(s, (struct sockaddr*)&(struct sockaddr_un){ .sun_family = AF_INET }, sizeof a));
    ml = -1;
    SHOW("getsockname negative len", getsockname(s, (struct sockaddr*)&me, &ml));
    SHOW("getsockname bad len pointer", getsockname(s, (struct sockaddr*)&me, (socklen_t*)8));
    SHOW("getsockname of a pipe", getsockname(0, (struct sockaddr*)&me, &ml));
    SHOW("listen on dgram", listen(s, 1));
    SHOW("accept on dgram", accept(s, NULL, NULL));
    SHOW("accept4 bad flags", accept4(s, NULL, NULL, 1));
    return 0;
}
