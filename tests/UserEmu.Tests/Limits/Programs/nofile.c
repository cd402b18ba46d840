/* Under a low RLIMIT_NOFILE: the first descriptors a program opens are numbered as natively, also after it execs
 * itself (argv[1] "again"), and it can open more until EMFILE. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *round = argc > 1 ? argv[1] : "first";
    int fds[3];
    for (int k = 0; k < 3; k++) fds[k] = open("/dev/null", O_RDONLY | O_CLOEXEC);
    printf("%s: fds %d %d %d\n", round, fds[0], fds[1], fds[2]);
    fflush(stdout);
    if (argc == 1) {
        execl("/proc/self/exe", argv[0], "again", (char *)0);
        perror("execl");
        return 1;
    }
    int opened = 3;
    while (open("/dev/null", O_RDONLY) >= 0) opened++;
    printf("%s: opened %s at %d\n", round, errno == EMFILE ? "until EMFILE" : strerror(errno), opened >= 8 ? 8 : opened);
    return 0;
}
