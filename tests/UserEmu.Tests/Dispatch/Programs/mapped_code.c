/* Runs code read from a file (argv[1]) mapped executable at a fixed address, so that each run puts its blocks at the
 * same PCs: `mov eax, imm32; ret`, whose immediate the test changes between runs. Then some ordinary work, to give
 * the code cache blocks of the program itself. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int fd = open(argv[1], O_RDONLY);
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
    unsigned sum = 0;
    for (unsigned k = 0; k < 100000; k++) sum = sum * 31 + k % 7;
    printf("code returns %d, sum %u\n", code(), sum);
    return 0;
}
