/* TCP and UDP on 127.0.0.1 and ::1 with ephemeral ports (only deterministic facts are printed), socket options,
   sendmmsg/recvmmsg, a receive timeout, and the kernel's address-length rules. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define SHOW(what, expr) do { errno = 0; long r_ = (long)(expr); printf("%s = %ld errno=%d\n", what, r_, r_ < 0 ? errno : 0); } while (0)

static socklen_t loopback(int family, struct sockaddr_storage* ss) {
    memset(ss, 0, sizeof *ss);
    if (family == AF_INET) {
        struct sockaddr_in* a = (struct sockaddr_in*)ss;
        a->sin_family = AF_INET; a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return sizeof *a;
    }
    struct sockaddr_in6* a = (struct sockaddr_in6*)ss;
    a->sin6_family = AF_INET6; a->sin6_addr = in6addr_loopback;
    return sizeof *a;
}

static int port_of(struct sockaddr_storage* ss) {
    return ntohs(ss->ss_family == AF_INET ? ((struct sockaddr_in*)ss)->sin_port : ((struct sockaddr_in6*)ss)->sin6_port);
}

static void tcp(int family) {
    printf("-- tcp %s\n", family == AF_INET ? "v4" : "v6");
    struct sockaddr_storage ss, got, peer, local;
    socklen_t len = loopback(family, &ss), gl = sizeof got;
    int l = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int on = 1;
    SHOW("SO_REUSEADDR", setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on));
    if (family == AF_INET6) SHOW("IPV6_V6ONLY", setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on));
    SHOW("bind port 0", bind(l, (struct sockaddr*)&ss, len));
    SHOW("getsockname", getsockname(l, (struct sockaddr*)&got, &gl));
    printf("len=%d family ok=%d port assigned=%d\n", (int)gl, got.ss_family == family, port_of(&got) != 0);
    SHOW("listen", listen(l, 8));
    fcntl(l, F_SETFL, O_NONBLOCK);
    SHOW("accept nonblocking, nobody there", accept(l, NULL, NULL));
    int c = socket(family, SOCK_STREAM, 0);
    SHOW("connect", connect(c, (struct sockaddr*)&got, gl));
    SHOW("connect again", connect(c, (struct sockaddr*)&got, gl));
    socklen_t pl = sizeof peer;
    int a = accept(l, (struct sockaddr*)&peer, &pl);
    socklen_t ll = sizeof local;
    getsockname(c, (struct sockaddr*)&local, &ll);
    printf("accepted=%d peer len=%d peer is the client=%d\n", a >= 0, (int)pl, pl == ll && memcmp(&peer, &local, pl) == 0);
    pl = sizeof peer;
    getpeername(c, (struct sockaddr*)&peer, &pl);
    printf("client's peer is the listener=%d\n", pl == gl && memcmp(&peer, &got, gl) == 0);
    pl = 4;
    SHOW("getpeername truncated", getpeername(c, (struct sockaddr*)&peer, &pl));
    printf("written back len=%d\n", (int)pl);

    SHOW("TCP_NODELAY", setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on));
    int v = 0; socklen_t vl = sizeof v;
    SHOW("get TCP_NODELAY", getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &vl));
    printf("nodelay=%d len=%d\n", v != 0, (int)vl);
    vl = sizeof v;
    getsockopt(c, SOL_SOCKET, SO_TYPE, &v, &vl);
    printf("SO_TYPE=%d\n", v);
    vl = sizeof v;
    getsockopt(c, SOL_SOCKET, SO_DOMAIN, &v, &vl);
    printf("SO_DOMAIN=%d\n", v);
    vl = sizeof v;
    getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &vl);
    printf("SO_ERROR=%d\n", v);
    struct linger lg = { 1, 3 }, lg2; socklen_t lgl = sizeof lg2;
    SHOW("SO_LINGER", setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    SHOW("get SO_LINGER", getsockopt(c, SOL_SOCKET, SO_LINGER, &lg2, &lgl));
    printf("linger=%d,%d len=%d\n", lg2.l_onoff, lg2.l_linger, (int)lgl);
    SHOW("setsockopt short", setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &on, 2));
    SHOW("setsockopt bad pointer", setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, (void*)8, 4));
    SHOW("setsockopt unknown option", setsockopt(c, SOL_SOCKET, 9999, &on, 4));
    SHOW("getsockopt negative len", ({ socklen_t n = -1; getsockopt(c, SOL_SOCKET, SO_TYPE, &v, &n); }));
    SHOW("getsockopt not a socket", ({ socklen_t n = 4; getsockopt(0, SOL_SOCKET, SO_TYPE, &v, &n); }));

    /* Data both ways; a receive timeout as struct timeval; then EOF after shutdown. */
    char buf[32] = { 0 };
    SHOW("send", send(c, "ping", 4, 0));
    SHOW("recv", recv(a, buf, sizeof buf, 0));
    SHOW("sendto on connected ignores no addr", sendto(a, "pong", 4, 0, NULL, 0));
    SHOW("recvfrom", ({ struct sockaddr_storage f; socklen_t fl = sizeof f; int r = recvfrom(c, buf, sizeof buf, 0, (struct sockaddr*)&f, &fl); printf("tcp recvfrom addr len=%d\n", (int)fl); r; }));
    struct timeval tv = { 0, 150000 }, tv2; socklen_t tl = sizeof tv2;
    SHOW("SO_RCVTIMEO", setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    SHOW("SO_RCVTIMEO short", setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, 8));
    SHOW("get SO_RCVTIMEO", getsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv2, &tl));
    printf("timeout=%ld.%06ld len=%d\n", (long)tv2.tv_sec, (long)tv2.tv_usec, (int)tl);
    tl = 8;
    SHOW("get SO_RCVTIMEO truncated", getsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv2, &tl));
    printf("len=%d\n", (int)tl);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    SHOW("recv times out", recv(c, buf, sizeof buf, 0));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    printf("waited at least 100 ms=%d\n", ms >= 100);
    SHOW("shutdown", shutdown(a, SHUT_RDWR));
    SHOW("recv eof", recv(c, buf, sizeof buf, 0));
    close(a); close(c); close(l);
}

static void udp(int family) {
    printf("-- udp %s\n", family == AF_INET ? "v4" : "v6");
    struct sockaddr_storage ss, ra, sa, from;
    socklen_t len = loopback(family, &ss), rl = sizeof ra, sl = sizeof sa;
    int r = socket(family, SOCK_DGRAM, 0), s = socket(family, SOCK_DGRAM, 0);
    bind(r, (struct sockaddr*)&ss, len);
    getsockname(r, (struct sockaddr*)&ra, &rl);
    bind(s, (struct sockaddr*)&ss, len);
    getsockname(s, (struct sockaddr*)&sa, &sl);
    SHOW("sendto", sendto(s, "one", 3, 0, (struct sockaddr*)&ra, rl));
    SHOW("sendto short addr", sendto(s, "one", 3, 0, (struct sockaddr*)&ra, 3));
    SHOW("sendto addr too long", sendto(s, "one", 3, 0, (struct sockaddr*)&ra, 129));
    SHOW("sendto bad fd bad addr", sendto(1000, "one", 3, 0, (struct sockaddr*)8, 16));
    SHOW("send unconnected", send(s, "x", 1, 0));
    char buf[64] = { 0 };
    socklen_t fl = sizeof from;
    SHOW("recvfrom", recvfrom(r, buf, sizeof buf, 0, (struct sockaddr*)&from, &fl));
    printf("data=%s from len=%d from the sender=%d\n", buf, (int)fl, fl == sl && memcmp(&from, &sa, sl) == 0);
    fl = 2;
    SHOW("sendto", sendto(s, "two", 3, 0, (struct sockaddr*)&ra, rl));
    SHOW("recvfrom with 2-byte room", recvfrom(r, buf, sizeof buf, 0, (struct sockaddr*)&from, &fl));
    printf("written back len=%d family ok=%d\n", (int)fl, from.ss_family == family);

    /* Three datagrams at once each way; msg_len of each; recvmmsg's timeout is written back. */
    struct mmsghdr mm[4];
    struct iovec iov[4];
    char data[4][16];
    memset(mm, 0, sizeof mm);
    for (int k = 0; k < 3; k++) {
        snprintf(data[k], sizeof data[k], "dgram-%d", k);
        iov[k].iov_base = data[k]; iov[k].iov_len = strlen(data[k]) + k;
        mm[k].msg_hdr.msg_iov = &iov[k]; mm[k].msg_hdr.msg_iovlen = 1;
        mm[k].msg_hdr.msg_name = &ra; mm[k].msg_hdr.msg_namelen = rl;
    }
    SHOW("sendmmsg", sendmmsg(s, mm, 3, 0));
    printf("msg_len %u %u %u\n", mm[0].msg_len, mm[1].msg_len, mm[2].msg_len);
    struct sockaddr_storage froms[4];
    char rbuf[4][32];
    memset(mm, 0, sizeof mm); memset(rbuf, 0, sizeof rbuf);
    for (int k = 0; k < 4; k++) {
        iov[k].iov_base = rbuf[k]; iov[k].iov_len = sizeof rbuf[k];
        mm[k].msg_hdr.msg_iov = &iov[k]; mm[k].msg_hdr.msg_iovlen = 1;
        mm[k].msg_hdr.msg_name = &froms[k]; mm[k].msg_hdr.msg_namelen = sizeof froms[k];
    }
    struct timespec to = { 5, 0 };
    SHOW("recvmmsg waitforone", recvmmsg(r, mm, 4, MSG_WAITFORONE, &to));
    printf("got %s %s %s lens %u %u %u namelen %u from the sender=%d timeout left <= 5s=%d\n", rbuf[0], rbuf[1], rbuf[2],
           mm[0].msg_len, mm[1].msg_len, mm[2].msg_len, mm[0].msg_hdr.msg_namelen,
           memcmp(&froms[2], &sa, sl) == 0, to.tv_sec <= 5 && to.tv_sec >= 0);
    SHOW("recvmmsg nothing, nonblocking", recvmmsg(r, mm, 4, MSG_DONTWAIT, NULL));
    SHOW("recvmmsg bad timeout", recvmmsg(r, mm, 4, MSG_DONTWAIT, &(struct timespec){ 0, 2000000000 }));
    SHOW("sendmmsg none", sendmmsg(s, mm, 0, 0));
    SHOW("sendmmsg bad fd", sendmmsg(1000, mm, 1, 0));

    /* Connected UDP: recvmsg reports the truncation of a long datagram. */
    SHOW("connect", connect(s, (struct sockaddr*)&ra, rl));
    SHOW("send", send(s, "a-longer-datagram", 17, 0));
    struct msghdr m = { 0 };
    struct iovec one = { buf, 5 };
    struct sockaddr_storage nm;
    m.msg_name = &nm; m.msg_namelen = sizeof nm; m.msg_iov = &one; m.msg_iovlen = 1;
    SHOW("recvmsg", recvmsg(r, &m, 0));
    printf("flags trunc=%d namelen=%d\n", (m.msg_flags & MSG_TRUNC) != 0, (int)m.msg_namelen);
    SHOW("disconnect with AF_UNSPEC", connect(s, (struct sockaddr*)&(struct sockaddr){ .sa_family = AF_UNSPEC }, sizeof(struct sockaddr)));
    SHOW("send after disconnect", send(s, "x", 1, 0));
    close(r); close(s);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    tcp(AF_INET);
    tcp(AF_INET6);
    udp(AF_INET);
    udp(AF_INET6);
    SHOW("socket bad type", socket(AF_INET, 77, 0));
    SHOW("socket bad flags", socket(AF_INET, SOCK_STREAM | 0x4000, 0));
    SHOW("socket bad protocol", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
    return 0;
}
