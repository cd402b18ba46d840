/* A fork bomb held by RLIMIT_NPROC: forks children that wait on a pipe until fork fails, then releases them. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int limit = argc > 1 ? atoi(argv[1]) : 40;
    struct rlimit rl = { limit, limit };
    if (setrlimit(RLIMIT_NPROC, &rl) != 0) { perror("setrlimit"); return 1; }
    struct rlimit back;
    getrlimit(RLIMIT_NPROC, &back);
    printf("RLIMIT_NPROC %llu %llu\n", (unsigned long long)back.rlim_cur, (unsigned long long)back.rlim_max);
    int gate[2];
    if (pipe(gate) != 0) { perror("pipe"); return 1; }
    int children = 0, err = 0;
    for (int i = 0; i < 10 * limit; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            char c;
            close(gate[1]);
            read(gate[0], &c, 1); /* returns 0 once the parent closes its end */
            _exit(7);
        }
        if (pid < 0) { err = errno; break; }
        children++;
    }
    close(gate[1]);
    int reaped = 0, status;
    while (wait(&status) > 0)
        if (WIFEXITED(status) && WEXITSTATUS(status) == 7) reaped++;
    printf("fork failed: %s\n", err == EAGAIN ? "EAGAIN" : err ? strerror(err) : "never");
    printf("children within the limit: %s\n", children > 0 && children < limit ? "yes" : "no");
    printf("all reaped: %s\n", reaped == children ? "yes" : "no");
    fflush(stdout);
    return 0;
}
