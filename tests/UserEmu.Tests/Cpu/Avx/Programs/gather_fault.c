// Gathers and masked moves next to an unmapped page: a gather faults at its first bad element with the earlier
// elements loaded and their mask bits cleared; masked-off elements never fault; a faulting masked store writes nothing.
#define _GNU_SOURCE
#include <immintrin.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
static sigjmp_buf jb;
static uint8_t *page;
// Set for the masked store: its registers hold library garbage, and the reported address is CPU-specific (AMD
// names the element's last byte).
static volatile int quiet;
static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;
    if (quiet) siglongjmp(jb, 1);
    printf("fault at +%ld\n", (long)((uint8_t *)si->si_addr - page));
    for (int r = 0; r < 3; r++) {
        uint64_t lo[2], hi[2];
        memcpy(lo, fp + 160 + r * 16, 16); memcpy(hi, fp + 576 + r * 16, 16);
        printf("ymm%d %016lx %016lx %016lx %016lx\n", r, lo[0], lo[1], hi[0], hi[1]);
    }
    siglongjmp(jb, 1);
}
int main(void)
{
    page = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 4096; i++) page[i] = i * 7;
    mprotect(page + 4096, 4096, PROT_NONE);
    struct sigaction sa = {0};
    sa.sa_sigaction = on_segv; sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0);
    int sets[3][8] = {{0, 4, 8, 1024, 12, 16, 20, 24}, {0, 4, 1030, 8, 12, 1500, 20, 24}, {4, 8, 12, 16, 20, 24, 28, 1025}};
    for (int k = 0; k < 3; k++) {
        if (sigsetjmp(jb, 1) == 0) {
            __asm__ volatile("vmovdqu %0, %%ymm1\n vpcmpeqd %%ymm2, %%ymm2, %%ymm2\n vpxor %%ymm0, %%ymm0, %%ymm0\n"
                             "vpgatherdd %%ymm2, (%1,%%ymm1,4), %%ymm0\n" :: "m"(sets[k]), "r"(page) : "xmm0", "xmm1", "xmm2");
            printf("no fault\n");
        }
    }
    // Masked load/store whose unselected elements lie in the unmapped page: no fault.
    __m256i mask = _mm256_set_epi32(0, 0, 0, 0, -1, -1, -1, -1), v = _mm256_set1_epi32(0x11223344);
    int *edge = (int *)(page + 4096 - 16);
    _mm256_maskstore_epi32(edge, mask, v);
    __m256i got = _mm256_maskload_epi32(edge, mask);
    printf("masked edge %08x %08x %08x\n", page[4095], _mm256_extract_epi32(got, 3), _mm256_extract_epi32(got, 4));
    // A selected element in the unmapped page: the store faults and writes nothing.
    memset(page + 4096 - 16, 0, 16);
    quiet = 1;
    if (sigsetjmp(jb, 1) == 0) _mm256_maskstore_epi32(edge, _mm256_set_epi32(0, 0, 0, -1, -1, 0, 0, -1), v);
    printf("after faulting store %08x %08x\n", *(int *)(page + 4096 - 16), *(int *)(page + 4096 - 4));
    return 0;
}
