/* Whole-register AVX2 loads, stores and memory-operand compares that fault in hot code (the native tier's host
   instructions on guest memory): unmapped and PROT_NONE pages, accesses crossing into a PROT_NONE page (a store
   that crosses writes nothing), a misaligned vmovdqa (#GP: si_addr 0); each fault is caught, its si_addr and si_code
   printed, and the destination registers and memory checked afterwards. */
#include "segv_catch.h"
#include <immintrin.h>
#include <string.h>
#include <sys/mman.h>

static __attribute__((noinline)) unsigned load256(const void *p)
{
    return (unsigned)_mm256_movemask_epi8(_mm256_loadu_si256((const __m256i *)p));
}

static __attribute__((noinline)) unsigned load128(const void *p)
{
    return (unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)p));
}

static __attribute__((noinline)) unsigned aligned256(const void *p)
{
    __m256i v;
    __asm__ volatile("vmovdqa (%1), %0" : "=x"(v) : "r"(p) : "memory");
    return (unsigned)_mm256_movemask_epi8(v);
}

static __attribute__((noinline)) unsigned compare256(const void *p, __m256i with)
{
    __m256i r;
    __asm__ volatile("vpcmpeqb (%1), %2, %0" : "=x"(r) : "r"(p), "x"(with) : "memory");
    return (unsigned)_mm256_movemask_epi8(r);
}

static __attribute__((noinline)) void store256(void *p, __m256i v) { _mm256_storeu_si256((__m256i *)p, v); }

static __attribute__((noinline)) void store128(void *p, __m128i v) { _mm_storeu_si128((__m128i *)p, v); }

enum { LOAD256, LOAD128, ALIGNED256, COMPARE256, STORE256, STORE128 };
static const char *const names[] = { "load256", "load128", "aligned256", "compare256", "store256", "store128" };

static unsigned long probe(int kind, char *bad, uintptr_t base)
{
    static char good[64] __attribute__((aligned(32)));
    unsigned long sum = 0;
    __m256i v = _mm256_set1_epi8((char)0x80);
    /* 300 rounds: the probes become native code early on; every 100th round touches the bad address. */
    for (int i = 0; i < 300; i++)
    {
        char *q = i % 100 == 99 ? bad : good;
        int sig = sigsetjmp(jb, 1);
        if (sig == 0)
        {
            switch (kind)
            {
            case LOAD256: sum += load256(q); break;
            case LOAD128: sum += load128(q); break;
            case ALIGNED256: sum += aligned256(q); break;
            case COMPARE256: sum += compare256(q, v); break;
            case STORE256: store256(q, v); break;
            default: store128(q, _mm256_castsi256_si128(v)); break;
            }
        }
        else
            printf("%s round %d: signal %d code %d at %s%ld\n", names[kind], i, sig, last_code,
                   last ? "base+" : "", last ? (long)(last - base) : 0L);
    }
    return sum;
}

int main(void)
{
    catch_segv();
    char *area = fault_pages();
    uintptr_t base = (uintptr_t)area;
    memset(area, 0x11, 4096);
    unsigned long sum = 0;
    for (int kind = LOAD256; kind <= STORE128; kind++)
    {
        sum += probe(kind, area + 2 * 4096 + 64, base);       /* unmapped */
        sum += probe(kind, area + 4096 + 32, base);           /* PROT_NONE */
        sum += probe(kind, area + 4096 - 8, base);            /* crosses into the PROT_NONE page */
    }
    sum += probe(ALIGNED256, area + 16, base);                /* misaligned: #GP */
    /* The crossing stores wrote nothing: the bytes before the page are as set. */
    int intact = 1;
    for (int i = 4096 - 8; i < 4096; i++) intact &= area[i] == 0x11;
    printf("sum %lu, crossing stores left the page %s\n", sum, intact ? "intact" : "written");
    return 0;
}
