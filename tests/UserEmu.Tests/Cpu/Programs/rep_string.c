// rep movs and rep stos in hot loops (so they run as native code), against the native run: every element size, zero
// counts, overlapping copies both ways, the direction flag set, and a run that faults partway (RCX/RSI/RDI then show
// the elements done, as the kernel's signal frame reports them).
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

static uint64_t hash(const unsigned char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

#define REP(insn, d, s, c)                                                                         \
    do {                                                                                           \
        void *dd = (d), *ss = (s);                                                                 \
        size_t cc = (c);                                                                           \
        __asm__ volatile("rep " insn : "+D"(dd), "+S"(ss), "+c"(cc) : : "memory");                 \
        pointers = pointers * 31 + (uint64_t)((char *)dd - (char *)ss) + cc;                       \
    } while (0)
#define STOS(insn, d, v, c)                                                                        \
    do {                                                                                           \
        void *dd = (d);                                                                            \
        size_t cc = (c);                                                                           \
        __asm__ volatile("rep " insn : "+D"(dd), "+c"(cc) : "a"(v) : "memory");                    \
        pointers = pointers * 31 + (uint64_t)((char *)dd - (char *)buf) + cc;                      \
    } while (0)

static unsigned char buf[1 << 16];
static uint64_t pointers;
static sigjmp_buf jump;
static volatile uint64_t faultRcx, faultRsi, faultRdi, faultAddr;

static void onSegv(int sig, siginfo_t *info, void *context)
{
    ucontext_t *uc = context;
    faultAddr = (uint64_t)info->si_addr;
    faultRcx = uc->uc_mcontext.gregs[REG_RCX];
    faultRsi = uc->uc_mcontext.gregs[REG_RSI];
    faultRdi = uc->uc_mcontext.gregs[REG_RDI];
    siglongjmp(jump, 1);
}

int main(void)
{
    uint64_t seed = 12345, total = 0;
    for (int i = 0; i < (int)sizeof buf; i++) buf[i] = (unsigned char)(i * 131 + 7);
    for (int round = 0; round < 20000; round++)
    {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t n = (seed >> 33) % 700, at = (seed >> 20) % 8192, from = (seed >> 45) % 8192;
        switch (round % 10)
        {
            case 0: REP("movsb", buf + 16384 + at, buf + from, n); break;
            case 1: REP("movsw", buf + 16384 + at, buf + from, n / 2); break;
            case 2: REP("movsl", buf + 16384 + at, buf + from, n / 4); break;
            case 3: REP("movsq", buf + 16384 + at, buf + from, n / 8); break;
            case 4: STOS("stosb", buf + 32768 + at, (uint64_t)seed, n); break;
            case 5: STOS("stosw", buf + 32768 + at, (uint64_t)seed, n / 2); break;
            case 6: STOS("stosl", buf + 32768 + at, (uint64_t)seed, n / 4); break;
            case 7: STOS("stosq", buf + 32768 + at, (uint64_t)seed, n / 8); break;
            // Overlapping: the destination just ahead of the source repeats its first bytes; just behind, a memmove.
            case 8: REP("movsb", buf + 40000 + at + 3, buf + 40000 + at, n); break;
            default: REP("movsq", buf + 40000 + at, buf + 40000 + at + 5, n / 8); break;
        }
        if (round % 1000 == 999) total = total * 31 + hash(buf, sizeof buf);
    }
    printf("copies and fills %016llx, pointers %016llx\n", (unsigned long long)total, (unsigned long long)pointers);

    // Backwards (DF set): the pointers go down.
    unsigned char *end = buf + 50000;
    __asm__ volatile("std\n\trep movsb\n\tcld" : "+D"(end), "+S"((unsigned char *){buf + 1000}), "+c"((size_t){300}) : : "memory");
    printf("backwards %016llx %ld\n", (unsigned long long)hash(buf, sizeof buf), (long)(end - buf));

    // A run into a page that is gone: the signal frame shows how far it got.
    unsigned char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(two + 4096, 4096);
    struct sigaction sa = {0};
    sa.sa_sigaction = onSegv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    for (int size = 0; size < 2; size++)
    {
        if (sigsetjmp(jump, 1) == 0)
        {
            if (size == 0) REP("movsb", two + 4000, buf, 200);
            else STOS("stosq", two + 4000, 0x1122334455667788ULL, 25);
            printf("no fault\n");
        }
        else
            printf("fault at +%lld rcx %llu rsi +%lld rdi +%lld\n", (long long)(faultAddr - (uint64_t)two),
                (unsigned long long)faultRcx, size == 0 ? (long long)(faultRsi - (uint64_t)buf) : 0LL,
                (long long)(faultRdi - (uint64_t)two));
    }
    printf("page %016llx\n", (unsigned long long)hash(two, 4096));
    return 0;
}
