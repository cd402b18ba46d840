// Chains of SSE arithmetic whose results feed the next operation, with loads, stores and partial writes of the same
// registers in between: native code keeps results in host XMM registers across those (NativeBlockCompiler.XmmCache).
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static uint64_t bits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }

// One block: mulsd/addsd/divsd chains, a load into a register in the middle, a 4-byte op on an 8-byte result,
// movlpd over a held result, sqrtsd, a packed op on scalar results, and a store and reload through memory.
static void chain(const double *in, double *out)
{
    __asm__ volatile(
        "movsd 0(%0), %%xmm0\n\t"
        "movsd 8(%0), %%xmm1\n\t"
        "mulsd %%xmm1, %%xmm0\n\t"
        "addsd %%xmm0, %%xmm1\n\t"
        "movsd 16(%0), %%xmm2\n\t"
        "divsd %%xmm2, %%xmm1\n\t"
        "mulss %%xmm1, %%xmm0\n\t"
        "movsd %%xmm0, 0(%1)\n\t"
        "movlpd 24(%0), %%xmm1\n\t"
        "addsd %%xmm0, %%xmm1\n\t"
        "xorpd %%xmm3, %%xmm3\n\t" // sqrtsd keeps the upper lane: whatever libc left there would differ
        "sqrtsd %%xmm1, %%xmm3\n\t"
        "movapd %%xmm3, %%xmm4\n\t"
        "unpcklpd %%xmm1, %%xmm4\n\t"
        "mulpd %%xmm4, %%xmm4\n\t"
        "subpd %%xmm3, %%xmm4\n\t"
        "movupd %%xmm4, 8(%1)\n\t"
        "movsd 8(%1), %%xmm5\n\t"
        "maxsd %%xmm5, %%xmm4\n\t"
        "minsd %%xmm0, %%xmm4\n\t"
        "movsd %%xmm4, 24(%1)\n\t"
        "xorpd %%xmm0, %%xmm0\n\t"
        "addsd %%xmm4, %%xmm0\n\t"
        "movsd %%xmm0, 32(%1)\n\t"
        :
        : "r"(in), "r"(out)
        : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "memory");
}

// A forward branch on an SSE compare in the middle (a side exit of a superblock), taken about half the time, with
// results not stored yet at it: the exit's way out stores them (NativeBlockCompiler.SideExitIf), the path on keeps them.
static void branchy(const double *in, double *out)
{
    __asm__ volatile(
        "movsd 0(%0), %%xmm0\n\t"
        "mulsd 8(%0), %%xmm0\n\t"
        "movapd %%xmm0, %%xmm1\n\t"
        "addsd 16(%0), %%xmm1\n\t"
        "movupd 0(%0), %%xmm2\n\t"
        "mulpd %%xmm2, %%xmm2\n\t"
        "ucomisd 24(%0), %%xmm1\n\t"
        "ja 1f\n\t"
        "subsd %%xmm0, %%xmm1\n\t"
        "mulsd %%xmm1, %%xmm1\n\t"
        "addpd %%xmm2, %%xmm2\n\t"
        "1:\n\t"
        "movsd %%xmm1, 0(%1)\n\t"
        "movsd %%xmm0, 8(%1)\n\t"
        "movupd %%xmm2, 16(%1)\n\t"
        :
        : "r"(in), "r"(out)
        : "xmm0", "xmm1", "xmm2", "memory");
}

int main(void)
{
    uint64_t seed = 88172645463325252ULL, sum = 0;
    double in[4], out[5], taken[4];
    for (int round = 0; round < 200000; round++)
    {
        for (int k = 0; k < 4; k++)
        {
            seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
            in[k] = (double)(int64_t)(seed % 2000001) / 997.0 - 1000.0 + (k == 2 ? 1e-3 : 0);
        }
        chain(in, out);
        for (int k = 0; k < 5; k++) sum = sum * 31 + bits(out[k]);
        branchy(in, taken);
        for (int k = 0; k < 4; k++) sum = sum * 31 + bits(taken[k]);
        if (round % 50000 == 0)
            printf("%d %016llx %016llx %016llx %016llx %016llx\n", round, (unsigned long long)bits(out[0]),
                (unsigned long long)bits(out[1]), (unsigned long long)bits(out[2]), (unsigned long long)bits(out[3]),
                (unsigned long long)bits(out[4]));
    }
    printf("sum %016llx\n", (unsigned long long)sum);
    return 0;
}
