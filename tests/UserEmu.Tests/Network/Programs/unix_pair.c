/* AF_UNIX socketpairs: stream and datagram data, SCM_RIGHTS fd passing, SCM_CREDENTIALS, MSG_CTRUNC, shutdown, EPIPE/SIGPIPE. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define SHOW(what, expr) do { errno = 0; long r_ = (long)(expr); printf("%s = %ld errno=%d\n", what, r_, r_ < 0 ? errno : 0); } while (0)

static volatile int pipes;
static void on_pipe(int s) { pipes++; }

static int send_fds(int sock, int* fds, int n, const char* data) {
    char ctl[CMSG_SPACE(4 * 8)];
    memset(ctl, 0, sizeof ctl);
    struct iovec iov = { (void*)data, strlen(data) };
    struct msghdr m = { 0 };
    m.msg_iov = &iov; m.msg_iovlen = 1; m.msg_control = ctl; m.msg_controllen = CMSG_SPACE(4 * n);
    struct cmsghdr* c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS; c->cmsg_len = CMSG_LEN(4 * n);
    memcpy(CMSG_DATA(c), fds, 4 * n);
    return sendmsg(sock, &m, 0);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int sv[2], dv[2];
    SHOW("socketpair stream", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    SHOW("socketpair dgram cloexec", socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, dv));
    printf("cloexec flag: %d\n", fcntl(dv[0], F_GETFD) & FD_CLOEXEC);
    SHOW("socketpair bad flags", socketpair(AF_UNIX, SOCK_STREAM | 0x1000, 0, sv + 0));
    int tmp[2] = { -1, -1 };
    SHOW("socketpair inet", socketpair(AF_INET, SOCK_STREAM, 0, tmp));
    printf("numbers stored before the failure: %d %d\n", tmp[0], tmp[1]);
    SHOW("socketpair efault", socketpair(AF_UNIX, SOCK_STREAM, 0, (int*)8));

    /* Stream data both ways, a peek, then a short read. */
    char buf[64] = { 0 };
    SHOW("send", send(sv[0], "hello", 5, 0));
    SHOW("recv peek", recv(sv[1], buf, sizeof buf, MSG_PEEK));
    SHOW("recv 3", recv(sv[1], buf, 3, 0));
    SHOW("recv rest", recv(sv[1], buf + 3, sizeof buf, 0));
    printf("got %s\n", buf);
    SHOW("recv nonblocking empty", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));

    /* Unnamed addresses: just the family. */
    struct sockaddr_un a; socklen_t al = sizeof a;
    SHOW("getsockname", getsockname(sv[0], (struct sockaddr*)&a, &al));
    printf("unnamed len=%d family=%d\n", (int)al, a.sun_family);
    al = sizeof a;
    SHOW("getpeername", getpeername(sv[0], (struct sockaddr*)&a, &al));
    printf("peer len=%d\n", (int)al);
    al = sizeof a;
    SHOW("getpeername closed fd", getpeername(1000, (struct sockaddr*)&a, &al));

    /* SCM_RIGHTS: a pipe's read end crosses the socket; data written to the pipe is read through the new fd. */
    int p[2];
    pipe(p);
    int two[2] = { p[0], p[0] };
    SHOW("sendmsg fds", send_fds(sv[0], two, 2, "F"));
    char ctl[CMSG_SPACE(4 * 8)];
    struct iovec iov = { buf, sizeof buf };
    struct msghdr m = { 0 };
    m.msg_iov = &iov; m.msg_iovlen = 1; m.msg_control = ctl; m.msg_controllen = sizeof ctl;
    SHOW("recvmsg fds", recvmsg(sv[1], &m, MSG_CMSG_CLOEXEC));
    struct cmsghdr* c = CMSG_FIRSTHDR(&m);
    printf("controllen=%d level=%d type=%d len=%d flags=%d\n", (int)m.msg_controllen, c->cmsg_level, c->cmsg_type, (int)c->cmsg_len, m.msg_flags);
    int got[2];
    memcpy(got, CMSG_DATA(c), 8);
    write(p[1], "via", 3);
    memset(buf, 0, sizeof buf);
    SHOW("read via passed fd", read(got[0], buf, sizeof buf));
    printf("data %s, distinct=%d, cloexec=%d\n", buf, got[0] != got[1] && got[0] != p[0], fcntl(got[0], F_GETFD) & FD_CLOEXEC);
    close(got[0]); close(got[1]);

    /* Too little control room: MSG_CTRUNC, and only the fds that fit arrive. */
    SHOW("sendmsg 3 fds", send_fds(sv[0], (int[]){ p[0], p[0], p[0] }, 3, "G"));
    char small[CMSG_SPACE(4)];
    m.msg_control = small; m.msg_controllen = CMSG_LEN(4);
    SHOW("recvmsg small control", recvmsg(sv[1], &m, 0));
    printf("controllen=%d ctrunc=%d\n", (int)m.msg_controllen, (m.msg_flags & MSG_CTRUNC) != 0);
    if (m.msg_controllen >= CMSG_LEN(4)) close(*(int*)CMSG_DATA(CMSG_FIRSTHDR(&m)));

    /* Malformed control: a cmsg_len past the buffer is EINVAL; a closed fd is EBADF. */
    struct msghdr bad = { 0 };
    struct iovec one = { "x", 1 };
    char bctl[CMSG_SPACE(4)] = { 0 };
    bad.msg_iov = &one; bad.msg_iovlen = 1; bad.msg_control = bctl; bad.msg_controllen = sizeof bctl;
    struct cmsghdr* bc = CMSG_FIRSTHDR(&bad);
    bc->cmsg_level = SOL_SOCKET; bc->cmsg_type = SCM_RIGHTS; bc->cmsg_len = 200;
    SHOW("sendmsg bad cmsg_len", sendmsg(sv[0], &bad, 0));
    bc->cmsg_len = CMSG_LEN(4); *(int*)CMSG_DATA(bc) = 77;
    SHOW("sendmsg closed fd", sendmsg(sv[0], &bad, 0));
    SHOW("sendmsg bad msghdr", sendmsg(sv[0], (struct msghdr*)8, 0));
    SHOW("sendmsg bad fd + bad msghdr", sendmsg(1000, (struct msghdr*)8, 0));
    SHOW("sendmsg too many iovecs", ({ struct msghdr t = bad; t.msg_iovlen = 5000; t.msg_control = 0; t.msg_controllen = 0; sendmsg(sv[0], &t, 0); }));

    /* SCM_CREDENTIALS with SO_PASSCRED on a datagram pair. */
    int on = 1;
    SHOW("SO_PASSCRED", setsockopt(dv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    SHOW("send dgram", send(dv[0], "datagram", 8, 0));
    m.msg_control = ctl; m.msg_controllen = sizeof ctl;
    memset(buf, 0, sizeof buf);
    SHOW("recvmsg creds", recvmsg(dv[1], &m, 0));
    c = CMSG_FIRSTHDR(&m);
    struct ucred cr;
    memcpy(&cr, CMSG_DATA(c), sizeof cr);
    printf("type=%d pid_ok=%d uid_ok=%d gid_ok=%d data=%s\n", c->cmsg_type, cr.pid == getpid(), cr.uid == getuid(), cr.gid == getgid(), buf);
    struct ucred pc; socklen_t pl = sizeof pc;
    SHOW("SO_PEERCRED", getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &pc, &pl));
    printf("peercred len=%d pid_ok=%d\n", (int)pl, pc.pid == getpid());

    /* Datagram truncation. */
    SHOW("send long dgram", send(dv[0], "0123456789", 10, 0));
    SHOW("recv truncated", recv(dv[1], buf, 4, MSG_TRUNC));

    /* No ancillary data to deliver: a NULL msg_control with a length is no error. */
    SHOW("send", send(sv[0], "nc", 2, 0));
    struct msghdr nc = { 0 };
    struct iovec ni = { buf, sizeof buf };
    nc.msg_iov = &ni; nc.msg_iovlen = 1; nc.msg_controllen = 64;
    SHOW("recvmsg NULL control", recvmsg(sv[1], &nc, 0));
    printf("controllen=%d flags=%d\n", (int)nc.msg_controllen, nc.msg_flags);

    /* Shutdown: EOF for the reader, EPIPE for the writer (with SIGPIPE unless MSG_NOSIGNAL). */
    signal(SIGPIPE, on_pipe);
    SHOW("shutdown wr", shutdown(sv[0], SHUT_WR));
    SHOW("recv after shutdown", recv(sv[1], buf, sizeof buf, 0));
    SHOW("send nosignal", send(sv[0], "x", 1, MSG_NOSIGNAL));
    printf("sigpipes=%d\n", pipes);
    SHOW("send", send(sv[0], "x", 1, 0));
    printf("sigpipes=%d\n", pipes);
    SHOW("shutdown bad how", shutdown(sv[0], 7));
    return 0;
}
