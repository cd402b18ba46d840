/* Forks in a loop under a SIGCHLD handler: every child's exit makes the emulator forward a host signal while the
   parent goes on forking. The forwarding must never be caught mid-work by a fork (the child would hang). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static volatile sig_atomic_t caught;
static void on_chld(int sig) { (void)sig; caught = 1; }

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 300;
    signal(SIGCHLD, on_chld);
    long sum = 0;
    for (int i = 0; i < n; i++) {
        pid_t child = fork();
        if (child == 0) {
            char buf[32];
            snprintf(buf, sizeof buf, "%d", i * 7);
            _exit((int)strlen(buf));
        }
        int status;
        while (waitpid(child, &status, 0) < 0) {}
        sum += WEXITSTATUS(status);
    }
    printf("forks %d, sum of child statuses %ld, SIGCHLD caught %d\n", n, sum, (int)caught);
    return 0;
}
