/* Accesses below their base register that reach below guest address 0 (wrapping to the top of the 64-bit space) or
 * into the unmapped first page, from code hot enough to be native: a group of two stores below the base (as pushes
 * make), a lone load below it, and a group of two loads astride it. Native code checks only the base register for
 * such a span; the bytes below 0 fault in the guard below the reservation, and the guest must see the SIGSEGV,
 * address and code it sees natively. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static sigjmp_buf jb;
static volatile unsigned long fault_addr;
static volatile int fault_code;

static void on_segv(int s, siginfo_t *si, void *uc)
{
    (void)s; (void)uc;
    fault_addr = (unsigned long)si->si_addr;
    fault_code = si->si_code;
    siglongjmp(jb, 1);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0);
    static unsigned long good[64];
    for (int i = 0; i < 64; i++) good[i] = i * 0x9e3779b97f4a7c15UL;
    /* Many runs at a valid base first (the block goes native), then bases near 0. */
    static const unsigned long bad[] = { 0, 8, 16, 24, 40, 4096 };
    const int warm = 200000, n = warm + (int)(sizeof bad / sizeof bad[0]);
    unsigned long sum = 0;
    for (int round = 0; round < 3; round++)
    {
        for (volatile int i = 0; i < n; i++)
        {
            unsigned long base = i < warm ? (unsigned long)&good[32] : bad[i - warm];
            if (sigsetjmp(jb, 1))
            {
                printf("round %d base %lu: fault at %#lx code %d\n", round, base, fault_addr, fault_code);
                continue;
            }
            unsigned long a, b;
            switch (round)
            {
            case 0: /* two stores below the base */
                __asm__ volatile("mov %1, -8(%0)\n\tmov %1, -16(%0)" : : "r"(base), "r"(sum) : "memory");
                sum = sum * 7 + good[31];
                break;
            case 1: /* a load alone, 24 bytes below its base */
                __asm__ volatile("mov -24(%1), %0" : "=r"(a) : "r"(base) : "memory");
                sum = sum * 31 + a;
                break;
            default: /* two loads astride the base */
                __asm__ volatile("mov -32(%2), %0\n\tmov 8(%2), %1" : "=&r"(a), "=&r"(b) : "r"(base) : "memory");
                sum = sum * 31 + a + b;
                break;
            }
        }
    }
    printf("sum %lx\n", sum);
    return 0;
}
