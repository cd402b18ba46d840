/* A JIT-like guest: fills many fresh code pages with small distinct functions, then calls each one once.
   Every call is a block the emulator has never seen, so its translation cache grows without bound unless flushed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

enum { PAGE = 4096, FUNC = 64 };

int main(int argc, char **argv)
{
    long pages = argc > 1 ? atol(argv[1]) : 1000;
    int rounds = argc > 2 ? atoi(argv[2]) : 1;
    unsigned long long sum = 0;
    for (int round = 0; round < rounds; round++) {
        unsigned char *code = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (code == MAP_FAILED) { perror("mmap"); return 1; }
        /* Write all the code first: a write to a page that holds translated code would drop its translations. */
        for (long f = 0; f < pages * PAGE / FUNC; f++) {
            unsigned char *p = code + f * FUNC;
            unsigned v = (unsigned)(f * 2654435761u) ^ (unsigned)round;
            p[0] = 0xb8; memcpy(p + 1, &v, 4);            /* mov eax, v */
            p[5] = 0x83; p[6] = 0xc0; p[7] = (unsigned char)(f & 0x7f); /* add eax, f & 0x7f */
            p[8] = 0xc3;                                   /* ret */
        }
        for (long f = 0; f < pages * PAGE / FUNC; f++)
            sum += ((unsigned (*)(void))(code + f * FUNC))();
        munmap(code, pages * PAGE);
    }
    printf("%ld functions x %d rounds, sum %llu\n", pages * PAGE / FUNC, rounds, sum);
    return 0;
}
