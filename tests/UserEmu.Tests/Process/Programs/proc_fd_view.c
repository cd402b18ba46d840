/* What a process sees of its own descriptors: /proc/self/fd listings, paths under it, and calls on every number.
   Under useremu the emulator's descriptors must be invisible: not listed, ENOENT by path, EBADF by number. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

static void list(const char *label, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) { printf("%s: %s\n", label, strerror(errno)); return; }
    static int fds[8192];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' && n < 8192) fds[n++] = atoi(e->d_name);
    closedir(d);
    qsort(fds, n, sizeof fds[0], cmp);
    printf("%s:", label);
    for (int i = 0; i < n; i++) printf(" %d", fds[i]);
    printf("\n");
}

int main(void)
{
    /* Descriptors inherited from whoever started us differ between runs: start from 0, 1 and 2 only. */
    syscall(SYS_close_range, 3, ~0U, 0);
    char path[64], buf[256];
    int extra = open("/dev/null", O_RDONLY);
    int pipefd[2];
    if (pipe(pipefd) != 0) return 1;
    printf("extra=%d pipe=%d,%d\n", extra, pipefd[0], pipefd[1]);
    list("self/fd", "/proc/self/fd");
    list("self/fdinfo", "/proc/self/fdinfo");
    list("thread-self/fd", "/proc/thread-self/fd");
    snprintf(path, sizeof path, "/proc/%d/fd", getpid());
    list("pid/fd", path);
    snprintf(path, sizeof path, "/proc/%d/task/%d/fd", getpid(), (int)syscall(SYS_gettid));
    list("pid/task/tid/fd", path);
    int fcntls = 0, fstats = 0, reads = 0, links = 0, stats = 0, opens = 0, at_ebadf = 0, maps = 0, nvals = 0, selects = 0;
    struct stat st;
    /* select ignores numbers past the size of the fd table: make it hold at least 256 in both runs. */
    int high = fcntl(0, F_DUPFD, 200);
    if (high >= 0) close(high);
    for (int fd = 0; fd < 4096; fd++)
    {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF) fcntls++;
        if (fstat(fd, &st) == 0 || errno != EBADF) fstats++;
        if (read(fd, buf, 0) >= 0 || errno != EBADF) reads++;
        if (fstatat(fd, "x", &st, 0) != 0 && errno == EBADF) at_ebadf++;
        void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) munmap(m, 4096);
        if (m != MAP_FAILED || errno != EBADF) maps++;
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLNVAL)) nvals++;
        if (fd < 256)
        {
            fd_set set;
            FD_ZERO(&set);
            FD_SET(fd, &set);
            struct timeval tv = { 0, 0 };
            if (select(fd + 1, &set, NULL, NULL, &tv) < 0 && errno == EBADF) selects++;
        }
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        if (readlink(path, buf, sizeof buf) >= 0) links++;
        else if (errno != ENOENT) printf("readlink %d: %s\n", fd, strerror(errno));
        if (stat(path, &st) == 0 || errno != ENOENT) stats++;
        snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
        int f = open(path, O_RDONLY | O_CLOEXEC);
        if (f >= 0) { opens++; close(f); }
        else if (errno != ENOENT) printf("open fdinfo %d: %s\n", fd, strerror(errno));
    }
    printf("not EBADF: fcntl %d fstat %d read %d mmap %d; fstatat EBADF %d\n", fcntls, fstats, reads, maps, at_ebadf);
    printf("POLLNVAL %d, select EBADF %d\n", nvals, selects);
    printf("exist: readlink %d stat %d fdinfo %d\n", links, stats, opens);
    return 0;
}
