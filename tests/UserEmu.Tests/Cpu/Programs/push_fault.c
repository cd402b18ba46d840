/* Six pushes in a row whose RSP runs into an unwritable page, at every position, from a hot loop (native code), then
 * a stack adjustment: the signal frame must show RSP as it was before the push that faulted, and the earlier pushes'
 * values must be in memory. Native code addresses every push off the first RSP, keeps no RSP of its own for them, and
 * computes the one a fault shows in the faulting access's stub (NativeBlockCompiler.FoldAddresses). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

static sigjmp_buf jb;
unsigned long saved_rsp, after_rsp; /* named in the asm */
static unsigned long seen_rsp;
static char altstack[1 << 16];

static void on_segv(int s, siginfo_t *si, void *ucv)
{
    (void)s; (void)si;
    ucontext_t *uc = ucv;
    seen_rsp = uc->uc_mcontext.gregs[REG_RSP];
    siglongjmp(jb, 1);
}

int main(void)
{
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    sigaltstack(&ss, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, 0);
    unsigned char *page = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(page, 4096, PROT_NONE);
    unsigned long *top = (unsigned long *)(page + 4096);
    unsigned long sum = 0;
    for (int round = 0; round < 500; round++)
        for (volatile int k = 0; k <= 6; k++)
        {
            /* With room for k pushes above the unwritable page, push k+1 faults (k = 6: none does). */
            unsigned char *p = page + 4096 + 8 * k;
            if (k == 6) p += 8;
            memset(page + 4096, 0, 64);
            if (sigsetjmp(jb, 1))
            {
                unsigned long h = (seen_rsp - (unsigned long)page) * 7;
                for (int r = 0; r < 8; r++) h = h * 31 + top[r];
                sum = sum * 131 + h;
                if (round == 499) printf("k=%d rsp=page+%lu\n", k, seen_rsp - (unsigned long)page);
                continue;
            }
            unsigned long a = round, c = round * 3, d = k, si = 5, di = round ^ k, r8 = 77;
            __asm__ volatile("movq %%rsp, saved_rsp(%%rip)\n\tmovq %0, %%rsp\n\t"
                             "pushq %1\n\tpushq %2\n\tpushq %3\n\tpushq %4\n\tpushq %5\n\tpushq %6\n\t"
                             "subq $0x40, %%rsp\n\tmovq %%rsp, after_rsp(%%rip)\n\t"
                             "movq saved_rsp(%%rip), %%rsp"
                             :
                             : "r"(p), "r"(a), "r"(c), "r"(d), "r"(si), "r"(di), "r"(r8)
                             : "memory");
            sum = sum * 31 + (after_rsp - (unsigned long)page);
            for (int r = 0; r < 8; r++) sum = sum * 31 + top[r];
        }
    printf("sum %lx\n", sum);
    return 0;
}
