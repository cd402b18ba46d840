/* SSE results native code has not stored to the vCPU state yet (dirty XMM registers) must be in the signal frame of
 * a fault that follows them in the same block: a faulting load, a group of loads beyond the reservation (the group's
 * check fails and the interpreter runs the rest), a faulting movupd, a store to a read-only page, and a scalar op on
 * a movsd-loaded value whose zeroed upper half must stay zero. Each fault comes at the last pass of a hot loop. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

static sigjmp_buf jb;
static unsigned long long xmm[16][2];

static void on_segv(int s, siginfo_t *si, void *ucv)
{
    (void)s; (void)si;
    ucontext_t *uc = ucv;
    for (int r = 2; r < 8; r++) memcpy(xmm[r], &uc->uc_mcontext.fpregs->_xmm[r], 16);
    siglongjmp(jb, 1);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0);
    unsigned char *good = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char *ro = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char *unmapped = good + 4096;
    munmap(unmapped, 4096);
    unsigned char *far = (unsigned char *)0x500000000000UL; /* past a 2^46 reservation; unmapped natively */
    double in[2] = {1.25, -3.5}, one = 1.0;
    /* The registers each scenario sets before its fault (the others hold whatever libc left, which differs). */
    static const unsigned char shown[5] = {0x1c, 0x60, 0x84, 0x10, 0x60};
    for (int scenario = 0; scenario < 5; scenario++)
    {
        const int passes = 3000;
        for (volatile int i = 0; i < passes; i++)
        {
            unsigned char *p = i < passes - 1 ? good : scenario == 1 ? far : scenario == 3 ? ro : unmapped;
            if (sigsetjmp(jb, 1))
            {
                printf("scenario %d pass %d:", scenario, i);
                for (int r = 2; r < 8; r++)
                    if (shown[scenario] >> r & 1) printf(" xmm%d=%016llx%016llx", r, xmm[r][1], xmm[r][0]);
                printf("\n");
                break;
            }
            in[0] += one;
            switch (scenario)
            {
            case 0: /* a load */
                __asm__ volatile("movupd %1, %%xmm2\n\tmovapd %%xmm2, %%xmm3\n\taddpd %%xmm2, %%xmm3\n\tmulsd %%xmm3, %%xmm3\n\t"
                                 "movsd %2, %%xmm4\n\tsubsd %%xmm3, %%xmm4\n\tmov (%0), %%rax\n\taddsd %%xmm4, %%xmm2"
                                 : : "r"(p), "m"(in), "m"(one) : "rax", "xmm2", "xmm3", "xmm4", "memory");
                break;
            case 1: /* a group of two loads whose check fails */
                __asm__ volatile("movupd %1, %%xmm5\n\tmulpd %%xmm5, %%xmm5\n\tsqrtsd %%xmm5, %%xmm6\n\t"
                                 "mov (%0), %%rax\n\tmov 8(%0), %%rcx\n\taddsd %%xmm6, %%xmm5"
                                 : : "r"(p), "m"(in) : "rax", "rcx", "xmm5", "xmm6", "memory");
                break;
            case 2: /* a faulting movupd */
                __asm__ volatile("movupd %1, %%xmm2\n\tdivpd %%xmm2, %%xmm2\n\tmovapd %%xmm2, %%xmm7\n\tsubpd %1, %%xmm7\n\t"
                                 "movupd (%0), %%xmm3\n\taddpd %%xmm3, %%xmm2"
                                 : : "r"(p), "m"(in) : "xmm2", "xmm3", "xmm7", "memory");
                break;
            case 3: /* a store to a read-only page */
                __asm__ volatile("movsd %1, %%xmm4\n\tmaxsd %2, %%xmm4\n\tminsd %%xmm4, %%xmm4\n\tmov %%rax, 16(%0)\n\tmulsd %%xmm4, %%xmm4"
                                 : : "r"(p), "m"(in), "m"(one) : "xmm4", "memory");
                break;
            default: /* movsd from memory zeroes the upper half; a scalar op on it keeps it zero */
                __asm__ volatile("pcmpeqd %%xmm5, %%xmm5\n\tmovsd %1, %%xmm5\n\taddsd %2, %%xmm5\n\tmovapd %%xmm5, %%xmm6\n\t"
                                 "mulpd %%xmm5, %%xmm6\n\tmov (%0), %%rax\n\taddsd %%xmm6, %%xmm5"
                                 : : "r"(p), "m"(in), "m"(one) : "rax", "xmm5", "xmm6", "memory");
                break;
            }
        }
    }
    return 0;
}
