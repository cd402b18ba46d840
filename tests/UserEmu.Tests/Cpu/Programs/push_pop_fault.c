/* Six pops in a row whose RSP runs into an unreadable page, and six pushes (then a stack adjustment) whose RSP runs
 * into an unwritable one, at every position, from hot loops (native code): the signal frame must show RSP as it was
 * before the push or pop that faulted, the registers the earlier pops loaded and the values the earlier pushes
 * stored. Native code keeps only the first RSP live and addresses every push and pop off it: the stub of the access
 * that faults computes the RSP it shows (NativeBlockCompiler.FoldAddresses, KeepDeferredValuesLive). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

static sigjmp_buf jb;
unsigned long saved_rsp, after_rsp; /* named in the asm */
static unsigned long seen_rsp, seen[6];
static char altstack[1 << 16];

static void on_segv(int s, siginfo_t *si, void *ucv)
{
    (void)s; (void)si;
    ucontext_t *uc = ucv;
    seen_rsp = uc->uc_mcontext.gregs[REG_RSP];
    seen[0] = uc->uc_mcontext.gregs[REG_RAX];
    seen[1] = uc->uc_mcontext.gregs[REG_RCX];
    seen[2] = uc->uc_mcontext.gregs[REG_RDX];
    seen[3] = uc->uc_mcontext.gregs[REG_RSI];
    seen[4] = uc->uc_mcontext.gregs[REG_RDI];
    seen[5] = uc->uc_mcontext.gregs[REG_R8];
    siglongjmp(jb, 1);
}

static unsigned long pops(unsigned char *page)
{
    mprotect(page + 4096, 4096, PROT_NONE);
    for (int i = 0; i < 512; i++) ((unsigned long *)page)[i] = 0x1000 + i;
    unsigned long sum = 0;
    for (int round = 0; round < 500; round++)
        for (volatile int k = 0; k <= 6; k++)
        {
            /* With k pops left before the unreadable page, pop k+1 faults (k = 6: none does). */
            unsigned char *p = page + 4096 - 8 * k;
            if (k == 6) p -= 8;
            if (sigsetjmp(jb, 1))
            {
                unsigned long h = (seen_rsp - (unsigned long)page) * 7;
                for (int r = 0; r < k; r++) h = h * 31 + seen[r];
                sum = sum * 131 + h;
                if (round == 499) printf("pop k=%d rsp=page+%lu\n", k, seen_rsp - (unsigned long)page);
                continue;
            }
            unsigned long out[6];
            __asm__ volatile("movq %%rsp, saved_rsp(%%rip)\n\tmovq %6, %%rsp\n\t"
                             "popq %%rax\n\tpopq %%rcx\n\tpopq %%rdx\n\tpopq %%rsi\n\tpopq %%rdi\n\tpopq %%r8\n\t"
                             "movq saved_rsp(%%rip), %%rsp\n\t"
                             "movq %%rax, %0\n\tmovq %%rcx, %1\n\tmovq %%rdx, %2\n\tmovq %%rsi, %3\n\tmovq %%rdi, %4\n\tmovq %%r8, %5"
                             : "=m"(out[0]), "=m"(out[1]), "=m"(out[2]), "=m"(out[3]), "=m"(out[4]), "=m"(out[5])
                             : "r"(p)
                             : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "memory");
            for (int r = 0; r < 6; r++) sum = sum * 31 + out[r];
        }
    return sum;
}

static unsigned long pushes(unsigned char *page)
{
    mprotect(page, 4096, PROT_NONE);
    mprotect(page + 4096, 4096, PROT_READ | PROT_WRITE);
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
                if (round == 499) printf("push k=%d rsp=page+%lu\n", k, seen_rsp - (unsigned long)page);
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
    return sum;
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
    unsigned long popped = pops(page);
    unsigned long pushed = pushes(page);
    printf("pops %lx pushes %lx\n", popped, pushed);
    return 0;
}
