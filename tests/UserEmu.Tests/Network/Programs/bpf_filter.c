/* SO_ATTACH_FILTER: the classic BPF program's pointer is the guest's, translated; bad and NULL programs fail as natively. */
#include <errno.h>
#include <linux/filter.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
int main(void) {
    int sv[2]; socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    struct sock_filter code[] = { BPF_STMT(BPF_RET | BPF_K, 3) }; /* keep 3 bytes of each datagram */
    struct sock_fprog prog = { 1, code };
    printf("attach=%d\n", setsockopt(sv[1], SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog));
    struct sock_fprog bad = { 1, (void*)8 };
    int r = setsockopt(sv[1], SOL_SOCKET, SO_ATTACH_FILTER, &bad, sizeof bad); printf("bad=%d errno=%d\n", r, errno);
    struct sock_fprog none = { 1, 0 };
    r = setsockopt(sv[1], SOL_SOCKET, SO_ATTACH_FILTER, &none, sizeof none); printf("null=%d errno=%d\n", r, errno);
    r = setsockopt(sv[1], SOL_SOCKET, SO_ATTACH_FILTER, &prog, 8); printf("short=%d errno=%d\n", r, errno);
    send(sv[0], "abcdef", 6, 0);
    char buf[16] = {0};
    printf("recv=%ld %s\n", (long)recv(sv[1], buf, sizeof buf, 0), buf);
    int one = 1;
    printf("detach=%d\n", setsockopt(sv[1], SOL_SOCKET, SO_DETACH_FILTER, &one, sizeof one));
    return 0;
}
