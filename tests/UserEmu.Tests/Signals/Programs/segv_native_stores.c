/* Stores of every size in hot code (the native tier's stores, checked by the host's page protection): read-only,
   unmapped and PROT_NONE pages, an 8-byte store crossing into a read-only page (nothing of it lands), a page made
   writable again, and a store crossing into a page of code that then runs (self-modifying code across pages). */
#include "segv_catch.h"
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define STORER(name, type) static __attribute__((noinline)) void name(volatile type *p, long v) { *p = (type)v; }
STORER(store1, uint8_t)
STORER(store2, uint16_t)
STORER(store4, uint32_t)
STORER(store8, uint64_t)

static void store(int size, volatile void *p, long v)
{
    if (size == 1) store1(p, v);
    else if (size == 2) store2(p, v);
    else if (size == 4) store4(p, v);
    else store8(p, v);
}

static uint64_t good;

static void probe(int size, volatile void *p, uintptr_t base)
{
    /* 300 rounds: the storers become native code early on; every 100th round writes the bad address. */
    for (int i = 0; i < 300; i++)
    {
        volatile void *q = i % 100 == 99 ? p : (volatile void *)&good;
        int sig = sigsetjmp(jb, 1);
        if (sig == 0)
            store(size, q, 0x1122334455667788 + i);
        else
            printf("size %d round %d: signal %d at base+%ld\n", size, i, sig, (long)(last - base));
    }
}

typedef int (*answer_fn)(void);

int main(void)
{
    catch_segv();

    char *area = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uintptr_t base = (uintptr_t)area;
    munmap(area + 3 * 4096, 4096);
    mprotect(area + 2 * 4096, 4096, PROT_NONE);
    mprotect(area + 4096, 4096, PROT_READ);
    for (int size = 1; size <= 8; size *= 2)
    {
        probe(size, area + 4096 + 8, base);       /* read-only */
        probe(size, area + 2 * 4096 + 16, base);  /* PROT_NONE */
        probe(size, area + 3 * 4096 + 24, base);  /* unmapped */
    }
    memset(area + 4096 - 8, 0x5a, 8);
    probe(8, area + 4096 - 4, base);              /* crosses into the read-only page */
    printf("first page kept: %d\n", area[4096 - 4] == 0x5a && area[4096 - 1] == 0x5a);
    mprotect(area + 4096, 4096, PROT_READ | PROT_WRITE);
    probe(8, area + 4096 - 4, base);              /* writable again: no fault */
    printf("written: %lx\n", *(unsigned long *)(area + 4096 - 4));

    /* Code at the start of a page: mov eax, imm32; ret. It runs hot, then an 8-byte store that starts on the page
       before rewrites its immediate. */
    unsigned char *code = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char insns[] = {0xb8, 1, 0, 0, 0, 0xc3};
    memcpy(code + 4096, insns, sizeof insns);
    answer_fn answer = (answer_fn)(code + 4096);
    long sum = 0;
    for (int i = 0; i < 1000; i++) sum += answer();
    for (int i = 0; i < 300; i++) store8((volatile uint64_t *)&good, i);
    store8((volatile uint64_t *)(code + 4096 - 3), 0x0000002a00000000 | 0xb8000000);
    printf("sum %ld, answer now %d\n", sum, answer());

    signal(SIGSEGV, SIG_DFL);
    store8((volatile uint64_t *)(area + 2 * 4096), 1);
    return 0;
}
