/* /proc/<own pid>/ and /proc/<pid>/task/<tid>/ must show what /proc/self/ shows: under useremu, the guest, not the emulator. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long slurp(const char *path, char *buf, long size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    long n = 0, r;
    while (n < size && (r = read(fd, buf + n, size - n)) > 0) n += r;
    close(fd);
    return n;
}

int main(int argc, char **argv)
{
    static char a[1 << 20], b[1 << 20];
    char p[128], la[4096], lb[4096];
    const char *files[] = { "exe", "maps", "auxv", "cmdline", "stat", "status", "environ", "comm" };
    for (int k = 0; k < 2; k++)
        for (unsigned i = 0; i < sizeof files / sizeof files[0]; i++)
        {
            snprintf(p, sizeof p, "/proc/self/%s", files[i]);
            long na = slurp(p, a, sizeof a);
            if (k == 0) snprintf(p, sizeof p, "/proc/%d/%s", getpid(), files[i]);
            else snprintf(p, sizeof p, "/proc/%d/task/%d/%s", getpid(), (int)syscall(SYS_gettid), files[i]);
            long nb = slurp(p, b, sizeof b);
            int same = na > 0 && na == nb && memcmp(a, b, na) == 0;
            /* stat and status change (times, memory) between two reads: compare their first fields. */
            if (!same && (strcmp(files[i], "stat") == 0 || strcmp(files[i], "status") == 0))
                same = na > 40 && nb > 40 && memcmp(a, b, 40) == 0;
            printf("%s/%s: %s\n", k ? "pid/task/tid" : "pid", files[i], same ? "same as self" : "DIFFERENT");
        }
    snprintf(p, sizeof p, "/proc/%d/exe", getpid());
    long n1 = readlink("/proc/self/exe", la, sizeof la), n2 = readlink(p, lb, sizeof lb);
    printf("readlink /proc/<pid>/exe: %.*s (%s)\n", (int)(n2 > 0 ? n2 : 0), lb, n1 == n2 && memcmp(la, lb, n1) == 0 ? "same as self" : "DIFFERENT");
    snprintf(p, sizeof p, "/proc/%d/cmdline", getpid());
    long n = slurp(p, a, sizeof a);
    for (long j = 0; j < n; j++) if (a[j] == 0) a[j] = '|';
    printf("/proc/<pid>/cmdline: %.*s\n", (int)n, a);
    snprintf(p, sizeof p, "/proc/%d/comm", getpid());
    n = slurp(p, a, sizeof a);
    printf("/proc/<pid>/comm: %.*s", (int)n, a);
    return argc - 1;
}
