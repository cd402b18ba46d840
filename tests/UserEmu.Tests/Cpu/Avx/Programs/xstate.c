// XSAVE state as glibc and signal handlers see it: XCR0, CPUID.0Dh sizes, xsave/xsavec/xrstor round trips of
// YMM, and a SIGUSR1 handler that edits the upper YMM half in its signal frame's XSAVE image.
#define _GNU_SOURCE
#include <cpuid.h>
#include <immintrin.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static uint8_t area[4096] __attribute__((aligned(64)));
static volatile int handled;

static void show(const char *name, const void *p, int n)
{
    const uint8_t *b = p;
    printf("%s", name);
    for (int i = 0; i < n; i++) printf("%s%02x", i % 16 ? "" : " ", b[i]);
    printf("\n");
}

static void on_usr1(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;
    uint32_t magic1 = *(uint32_t *)(fp + 464), ext = *(uint32_t *)(fp + 468), size = *(uint32_t *)(fp + 480);
    uint64_t features = *(uint64_t *)(fp + 472);
    printf("frame magic1=%x flags=%lx features&7=%lx magic2=%x ext-size=%u\n", magic1, uc->uc_flags & 1, features & 7,
           *(uint32_t *)(fp + size), ext - size);
    show("frame ymm3.hi", fp + 576 + 3 * 16, 16);
    // Change what YMM3's upper half and XMM4 become after sigreturn.
    memset(fp + 576 + 3 * 16, 0x5a, 16);
    memset(fp + 160 + 4 * 16, 0xa5, 16);
    handled = 1;
}

int main(void)
{
    unsigned a, b, c, d;
    __cpuid(1, a, b, c, d);
    printf("osxsave=%u avx=%u fma=%u f16c=%u\n", c >> 27 & 1, c >> 28 & 1, c >> 12 & 1, c >> 29 & 1);
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    printf("xcr0&7=%x\n", lo & 7);
    __cpuid_count(0xd, 2, a, b, c, d);
    printf("avx component size=%u offset=%u\n", a, b);

    // xsave / xrstor of the AVX state.
    __m256i v = _mm256_set_epi64x(0x1111222233334444, 0x5555666677778888, (long long)0x99990000aaaabbbbull, 0x0123456789abcdef);
    __m256i back;
    memset(area, 0xee, sizeof area);
    memset(area + 512, 0, 64);
    __asm__ volatile("vmovdqu %[v], %%ymm5\n vmovdqu %[v], %%ymm6\n xsave %[m]\n vpxor %%ymm5, %%ymm5, %%ymm5\n xrstor %[m]\n vmovdqu %%ymm5, %[o]"
                     : [o] "=m"(back), [m] "+m"(area) : [v] "m"(v), "a"(7), "d"(0) : "xmm5", "xmm6");
    show("xsave ymm5.hi", area + 576 + 5 * 16, 16);
    show("xsave xmm5", area + 160 + 5 * 16, 16);
    printf("xstate_bv avx=%u\n", (unsigned)(area[512] >> 2 & 1));
    show("restored", &back, 32);

    // xrstor with XSTATE_BV.AVX clear puts the upper halves in their initial state (zero).
    area[512] &= ~4;
    __asm__ volatile("vmovdqu %[v], %%ymm6\n xrstor %[m]\n vmovdqu %%ymm6, %[o]" : [o] "=m"(back) : [m] "m"(area), [v] "m"(v), "a"(7), "d"(0) : "xmm6");
    show("init avx", &back, 32);

    // xsavec: compacted header, same offsets for x87/SSE/AVX.
    memset(area, 0, sizeof area);
    __asm__ volatile("vmovdqu %[v], %%ymm7\n xsavec %[m]" : [m] "+m"(area) : [v] "m"(v), "a"(7), "d"(0) : "xmm7");
    printf("xcomp_bv=%llx\n", (unsigned long long)*(uint64_t *)(area + 520));
    show("xsavec ymm7.hi", area + 576 + 7 * 16, 16);

    // The signal frame carries YMM; the handler's edits come back.
    struct sigaction sa = {0};
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, 0);
    __m256i after3, after4;
    __asm__ volatile("vmovdqu %[v], %%ymm3\n vmovdqu %[v], %%ymm4\n"
                     "mov $62, %%eax\n syscall\n" // kill(getpid(), SIGUSR1): the handler runs at the syscall's return
                     "vmovdqu %%ymm3, %[o3]\n vmovdqu %%ymm4, %[o4]"
                     : [o3] "=m"(after3), [o4] "=m"(after4) : [v] "m"(v), "D"(getpid()), "S"(SIGUSR1)
                     : "rax", "rcx", "r11", "memory", "xmm3", "xmm4");
    printf("handled=%d\n", handled);
    show("after ymm3", &after3, 32);
    show("after ymm4", &after4, 32);
    return 0;
}
