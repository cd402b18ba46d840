// The 0x67 address-size prefix in 64-bit mode: lea computes modulo 2^32, and loop/loope/loopne count in ECX.
#include <stdio.h>

int main(void)
{
    unsigned long r, c;
    unsigned long ecx = 0x100000004UL, edx = 0xfffffff0UL;
    asm("lea -10(%%ecx, %%ecx, 2), %0" : "=r"(r) : "c"(ecx));
    printf("lea -10(ecx,ecx,2) = %016lx\n", r);
    asm("lea 0x20(%%edx, %%ecx, 4), %0" : "=r"(r) : "c"(ecx), "d"(edx));
    printf("lea 0x20(edx,ecx,4) = %016lx\n", r);
    for (int zf = 0; zf < 2; zf++) {
        unsigned long taken;
        c = 0x100000001UL;
        asm("cmp $1, %2\n\tmov $1, %0\n\taddr32 loop 1f\n\tmov $0, %0\n1:" : "=&r"(taken), "+c"(c) : "r"((long)!zf) : "cc");
        printf("loop ecx: zf=%d taken=%lu rcx=%016lx\n", zf, taken, c);
        c = 0x100000001UL;
        asm("cmp $1, %2\n\tmov $1, %0\n\taddr32 loope 1f\n\tmov $0, %0\n1:" : "=&r"(taken), "+c"(c) : "r"((long)!zf) : "cc");
        printf("loope ecx: zf=%d taken=%lu rcx=%016lx\n", zf, taken, c);
        c = 0x100000002UL;
        asm("cmp $1, %2\n\tmov $1, %0\n\taddr32 loopne 1f\n\tmov $0, %0\n1:" : "=&r"(taken), "+c"(c) : "r"((long)!zf) : "cc");
        printf("loopne ecx: zf=%d taken=%lu rcx=%016lx\n", zf, taken, c);
        c = 0x100000000UL;
        asm("mov $1, %0\n\tjecxz 1f\n\tmov $0, %0\n1:" : "=&r"(taken) : "c"(c));
        printf("jecxz: taken=%lu\n", taken);
    }
    return 0;
}
