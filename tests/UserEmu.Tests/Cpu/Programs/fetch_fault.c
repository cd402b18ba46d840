// Instruction fetch faults: code that falls through, jumps, or runs with an instruction straddling into a page that
// mprotect made non-executable. The handler prints si_code, si_addr and RIP relative to that page, restores it and
// returns, so the same translated code must then run the page's instructions (the faulting translation dropped).
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static char *page2;
static long ps;
static volatile int faults;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    printf("  SIGSEGV code=%d addr=page2%+ld rip=page2%+ld rax=%lld\n", si->si_code, (long)((char *)si->si_addr - page2),
           (long)((char *)uc->uc_mcontext.gregs[REG_RIP] - page2), (long long)uc->uc_mcontext.gregs[REG_RAX]);
    faults++;
    mprotect(page2, ps, PROT_READ | PROT_WRITE | PROT_EXEC);
}

static const unsigned char set1[] = {0xb8, 1, 0, 0, 0};          // mov $1, %eax
static const unsigned char set2[] = {0x48, 0xc7, 0xc0, 2, 0, 0, 0}; // mov $2, %rax

/// Code set1; set2; ret with set2 starting `straddle` bytes before page2; entry at set1 or at set2.
static void run(const char *name, int straddle, int enter_at_set2)
{
    char *start = page2 - straddle - (int)sizeof set1;
    memcpy(start, set1, sizeof set1);
    memcpy(start + sizeof set1, set2, sizeof set2);
    start[sizeof set1 + sizeof set2] = (char)0xc3;
    long (*fn)(void) = (long (*)(void))(enter_at_set2 ? start + sizeof set1 : start);
    long first = 0;
    for (int i = 0; i < 25000; i++) first += fn(); // hot enough for the compiled path too
    mprotect(page2, ps, PROT_NONE);
    faults = 0;
    long second = fn();
    printf("%s: first=%ld second=%ld faults=%d\n", name, first, second, faults);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    ps = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    page2 = p + ps;
    run("fall through", 0, 0);
    run("jump", 0, 1);
    run("fall through, straddling", 2, 0);
    run("jump, straddling", 2, 1);
    return 0;
}
