/* Maps each file named (`mov eax, imm32; ret`) executable at one fixed address in turn, calls it and unmaps it: a
 * code cache that kept the hash of the first file's page past the unmapping would run the first file's block again
 * for the second. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
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
        printf("%s returns %d\n", argv[i], code());
        munmap(at, 4096);
        close(fd);
    }
    return 0;
}
