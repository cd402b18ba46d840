/* Runs code read from each file named (`mov eax, imm32; ret`) mapped executable at one fixed address in turn, so that
 * each run puts its blocks at the same PCs: the tests change the immediate between runs, or within one (a code cache
 * that kept the first file's page hash past the unmapping would run its block again for the second). Then some
 * ordinary work, to give the code cache blocks of the program itself. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    unsigned sum = 0;
    for (unsigned k = 0; k < 100000; k++) sum = sum * 31 + k % 7;
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY);
        if (fd < 0) {
            perror("open");
            return 1;
        }
        void *at = mmap((void *)0x300000000UL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 0);
        if (at == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        int (*code)(void) = (int (*)(void))at;
        printf("code returns %d, sum %u\n", code(), sum);
        munmap(at, 4096);
        close(fd);
    }
    return 0;
}
