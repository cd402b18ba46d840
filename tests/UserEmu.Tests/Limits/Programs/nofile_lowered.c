/* Lowers its soft RLIMIT_NOFILE below descriptors it keeps open, then execs itself (argv[1]: the highest of them):
 * the new image starts, sees the lowered limit and the descriptor above it, and opens new ones on the free low
 * numbers until EMFILE (CPython's test_close_fds_when_max_fd_is_lowered does this). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct rlimit rl;
    if (argc > 1) {
        int high = atoi(argv[1]), first = open("/dev/null", O_RDONLY), opened = 1;
        struct stat st;
        getrlimit(RLIMIT_NOFILE, &rl);
        while (open("/dev/null", O_RDONLY) >= 0) opened++;
        printf("again: soft limit %llu, descriptor %d %s, first new descriptor %d, %d opened until %s\n",
               (unsigned long long)rl.rlim_cur, high, fstat(high, &st) == 0 ? "open" : "closed", first, opened,
               errno == EMFILE ? "EMFILE" : strerror(errno));
        return 0;
    }
    int fds[40];
    for (int k = 0; k < 40; k++) fds[k] = open("/dev/null", O_RDONLY);
    for (int k = 0; k < 14; k++) close(fds[k]);
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = 29;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
        perror("setrlimit");
        return 1;
    }
    char high[16];
    snprintf(high, sizeof high, "%d", fds[39]);
    printf("first: descriptors %d..%d open, soft limit 29\n", fds[14], fds[39]);
    fflush(stdout);
    execl("/proc/self/exe", argv[0], high, (char *)0);
    perror("execl");
    return 1;
}
