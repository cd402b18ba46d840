/* Self-modifying guest code: runs machine code copied afresh into a page that is writable and executable, several
   times, and adds up what it returns (eax): each run starts from the original bytes, whatever the last run rewrote. */
#ifndef CODE_COPIES_H
#define CODE_COPIES_H
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static unsigned long run_copies(const unsigned char *code, size_t size, int runs)
{
    unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { perror("mmap"); return 0; }
    unsigned long total = 0;
    for (int run = 0; run < runs; run++) {
        memcpy(p, code, size);
        total += ((unsigned (*)(void))p)();
    }
    munmap(p, 4096);
    return total;
}
#endif
