/* The harness's measuring wrapper: measure RESULT_FILE PROGRAM [ARGS...]
 *
 * Starts PROGRAM with this process's standard streams, waits for it with wait4 and writes
 * "<wall ns> <ru_maxrss KiB> <wait status>" to RESULT_FILE.
 *
 * Why not measure from the .NET harness directly: Linux charges a process's ru_maxrss with the resident size
 * of the address space it had before execve. A child of the harness starts from the .NET process's 30-50 MB
 * (vfork shares it, fork copies its page tables), which would swamp a 1 MB busybox. This wrapper is small and
 * static, so what it contributes is a few hundred KiB, like GNU time's floor. It also times from just before
 * spawn to just after exit, leaving out the cost of starting the harness's own child.
 */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: measure RESULT_FILE PROGRAM [ARGS...]\n");
        return 125;
    }
    struct timespec t0, t1;
    pid_t pid;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int err = posix_spawn(&pid, argv[2], NULL, NULL, argv + 2, environ);
    if (err != 0) {
        fprintf(stderr, "measure: %s: cannot start (errno %d)\n", argv[2], err);
        return 127;
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0)
        ;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long ns = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
    FILE *out = fopen(argv[1], "w");
    if (!out) return 126;
    fprintf(out, "%lld %ld %d\n", ns, ru.ru_maxrss, status);
    return fclose(out) == 0 ? 0 : 126;
}
