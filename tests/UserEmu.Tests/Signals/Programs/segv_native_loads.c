/* Loads of every size that fault in hot code (the native tier's unchecked loads): unmapped and PROT_NONE pages, an
   8-byte load crossing into a PROT_NONE page, a page made readable again; each fault is caught, its si_addr printed. */
#include "segv_catch.h"
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

#define LOADER(name, type) static __attribute__((noinline)) long name(volatile type *p) { return *p; }
LOADER(load1, uint8_t)
LOADER(load2, uint16_t)
LOADER(load4, uint32_t)
LOADER(load8, uint64_t)

static long probe(int size, volatile void *p, uintptr_t base)
{
    long sum = 0;
    /* 300 rounds: the loaders become native code early on; every 100th round reads the bad address. */
    for (int i = 0; i < 300; i++)
    {
        static uint64_t good = 0x0102030405060708;
        volatile void *q = i % 100 == 99 ? p : (volatile void *)&good;
        int sig = sigsetjmp(jb, 1);
        if (sig == 0)
            sum += size == 1 ? load1(q) : size == 2 ? load2(q) : size == 4 ? load4(q) : load8(q);
        else
            printf("size %d round %d: signal %d at base+%ld\n", size, i, sig, (long)(last - base));
    }
    return sum;
}

int main(void)
{
    catch_segv();

    char *area = fault_pages();
    uintptr_t base = (uintptr_t)area;
    long sum = 0;
    for (int size = 1; size <= 8; size *= 2)
    {
        sum += probe(size, area + 2 * 4096 + 8, base);   /* unmapped */
        sum += probe(size, area + 4096 + 16, base);      /* PROT_NONE */
    }
    sum += probe(8, area + 4096 - 4, base);              /* crosses into the PROT_NONE page */
    mprotect(area + 4096, 4096, PROT_READ);
    area[0] = 1;
    sum += probe(8, area + 4096 - 4, base);              /* readable again: no fault */
    printf("sum %ld\n", sum);
    signal(SIGSEGV, SIG_DFL);
    return (int)load8((volatile uint64_t *)(area + 2 * 4096));
}
