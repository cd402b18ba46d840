/* System-call heavy loop: n iterations of write(2) to /dev/null and getppid(2), the emulator's syscall round trip. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 300000;
    int fd = open("/dev/null", O_WRONLY);
    if (fd < 0) { perror("/dev/null"); return 1; }
    static const char msg[] = "0123456789abcdef";
    long written = 0, ppid_sum = 0;
    pid_t first = getppid();
    for (long i = 0; i < n; i++) {
        written += write(fd, msg, sizeof msg - 1 - (i & 7));
        ppid_sum += getppid() == first;
    }
    printf("%ld writes, %ld bytes, getppid stable %ld\n", n, written, ppid_sum);
    return 0;
}
