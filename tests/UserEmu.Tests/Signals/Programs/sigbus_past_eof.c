/* A file mapping read and written past the file's end: SIGBUS (BUS_ADRERR, si_addr the access) from hot loads and
   stores, EFAULT from write(2) of such a page; once the file has grown, its pages work for loads and for write(2);
   PROT_NONE still SIGSEGV; then death by SIGBUS (status 135) on a page still past the end. */
#include "segv_catch.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define LOADER(name, type) static __attribute__((noinline)) long name(volatile type *p) { return *p; }
LOADER(load1, uint8_t)
LOADER(load8, uint64_t)
static __attribute__((noinline)) void store4(volatile uint32_t *p, uint32_t v) { *p = v; }

static void probe(const char *what, volatile char *p, char *base, int store)
{
    /* 200 rounds: the accessors become native code; every 50th round touches the page past the end. */
    static uint64_t good;
    long sum = 0;
    for (int i = 0; i < 200; i++)
    {
        volatile char *q = i % 50 == 49 ? p : (volatile char *)&good;
        int sig = sigsetjmp(jb, 1);
        if (sig == 0)
        {
            if (store) store4((volatile uint32_t *)q, 7);
            else sum += i % 2 ? load1((volatile uint8_t *)q) : load8((volatile uint64_t *)q);
        }
        else
            printf("%s round %d: signal %d code %d at base+%ld\n", what, i, sig, last_code, (long)(last - (uintptr_t)base));
    }
    printf("%s sum %ld\n", what, sum);
}

int main(void)
{
    catch_segv();
    struct sigaction sa = {0};
    sa.sa_sigaction = segv_handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);

    char path[] = "/tmp/useremu-sigbus-XXXXXX";
    int fd = mkstemp(path);
    unlink(path);
    if (fd < 0 || write(fd, "x", 1) != 1) return 2;
    char *map = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) return 3;
    printf("first byte %c\n", map[0]);
    map[100] = 'y'; /* inside the file's last page: fine */
    probe("load", map + 4096 + 8, map, 0);
    probe("store", map + 2 * 4096 + 12, map, 1);
    int pfd[2];
    if (pipe(pfd) != 0) return 4;
    ssize_t n = write(pfd[1], map + 4096, 16);
    printf("write of a page past the end: %zd errno %d\n", n, errno);
    ftruncate(fd, 3 * 4096);
    n = write(pfd[1], map + 2 * 4096, 16);
    printf("write of a page the file has grown into: %zd\n", n);
    probe("grown", map + 4096 + 8, map, 0);
    mprotect(map + 2 * 4096, 4096, PROT_NONE);
    probe("prot_none", map + 2 * 4096, map, 0);
    mprotect(map + 2 * 4096, 4096, PROT_READ);
    signal(SIGBUS, SIG_DFL);
    printf("last read\n");
    return map[3 * 4096 + 1];
}
