/* A guest that dup2()s onto high descriptor numbers (where the emulator keeps its own, e.g. its signal pipe) must
   neither see the emulator's bytes in its files nor lose its host signals. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t got;
static void on_usr1(int sig) { (void)sig; got++; }

int main(void)
{
    signal(SIGUSR1, on_usr1); /* the emulator now catches SIGUSR1 on the host */
    int p[2];
    if (pipe(p) != 0) return 1;
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    int taken = 0;
    for (int fd = 64; fd < 200; fd++)
        if (dup2(p[1], fd) == fd) taken++;
    for (int k = 0; k < 3; k++) {
        kill(getpid(), SIGUSR1);
        while (got <= k) usleep(1000);
    }
    char buf[64];
    long stray = read(p[0], buf, sizeof buf);
    printf("took %d numbers, handler ran %d times, stray bytes %ld\n", taken, (int)got, stray < 0 ? 0 : stray);
    return 0;
}
