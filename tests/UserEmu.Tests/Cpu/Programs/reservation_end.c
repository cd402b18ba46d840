/* Accesses that run past the top of the guest's reservation (2^46 under useremu; an unmapped address natively) from a
 * hot loop, so in native code: a group of two 8-byte loads, a group of two stores, a 16-byte movdqu, and a load and a
 * store alone at an offset from their base register, each at every offset of the page just below. Native code checks
 * only where such a span starts (a lone load: only its base); the bytes past the end fault in the guard above the
 * reservation, and the guest must see the SIGSEGV, address and state it sees natively. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#define TOP (1UL << 46)
static sigjmp_buf jb;
static volatile unsigned long fault_addr;

static void on_segv(int s, siginfo_t *si, void *uc)
{
    (void)s; (void)uc;
    fault_addr = (unsigned long)si->si_addr;
    siglongjmp(jb, 1);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0);
    unsigned char *page = mmap((void *)(TOP - 4096), 4096, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (page != (unsigned char *)(TOP - 4096)) { printf("no page below 2^46\n"); return 0; }
    for (int i = 0; i < 4096; i++) page[i] = (unsigned char)(i * 29 + 3);
    unsigned long sum = 0;
    for (int round = 0; round < 6; round++)
    {
        for (volatile int off = 0; off <= 4095; off++)
        {
            unsigned char *p = page + off;
            if (sigsetjmp(jb, 1))
            {
                printf("round %d offset %d: fault at top%+ld\n", round, off, (long)(fault_addr - TOP));
                continue;
            }
            unsigned long a, b;
            switch (round)
            {
            case 0: /* two loads off one base */
                __asm__ volatile("mov (%2), %0\n\tmov 8(%2), %1" : "=&r"(a), "=&r"(b) : "r"(p) : "memory");
                sum = sum * 31 + a + b;
                break;
            case 1: /* two stores off one base */
                __asm__ volatile("mov %1, (%0)\n\tmov %1, 8(%0)" : : "r"(p), "r"(sum) : "memory");
                sum = sum * 7 + p[0];
                break;
            case 2: /* one 16-byte load */
            {
                unsigned long v[2];
                __asm__ volatile("movdqu (%1), %%xmm0\n\tmovdqu %%xmm0, %0" : "=m"(v) : "r"(p) : "xmm0", "memory");
                sum = sum * 31 + v[0] + v[1];
                break;
            }
            case 3: /* a spread group: loads 0 and 64 bytes on */
                __asm__ volatile("mov (%2), %0\n\tmov 64(%2), %1" : "=&r"(a), "=&r"(b) : "r"(p) : "memory");
                sum = sum * 31 + a + b;
                break;
            case 4: /* a load alone, 24 bytes past its base */
                __asm__ volatile("mov 24(%1), %0" : "=r"(a) : "r"(p) : "memory");
                sum = sum * 31 + a;
                break;
            default: /* a store alone, 40 bytes past its base */
                __asm__ volatile("mov %1, 40(%0)" : : "r"(p), "r"(sum) : "memory");
                sum = sum * 7 + p[0];
                break;
            }
        }
    }
    printf("sum %lx\n", sum);
    return 0;
}
