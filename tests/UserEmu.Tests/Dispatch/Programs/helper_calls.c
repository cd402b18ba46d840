/* Hot code that calls the emulator's helpers (x87 long double arithmetic, cpuid, rdtscp): the code cache keeps such
   blocks too. Prints only what does not depend on the machine. */
#include <cpuid.h>
#include <stdio.h>
#include <x86intrin.h>

int main(void)
{
    long double sum = 0;
    unsigned leaves = 0;
    unsigned long long last = 0, backwards = 0;
    for (int i = 1; i <= 2000; i++)
    {
        sum += 1.0L / ((long double)i * i);
        unsigned a, b, c, d;
        __cpuid(0, a, b, c, d);
        leaves += a > 0;
        unsigned aux;
        unsigned long long t = __rdtscp(&aux);
        backwards += t < last;
        last = t;
    }
    printf("sum %.15Lf, cpuid answered %u times, rdtscp went back %llu times\n", sum, leaves, backwards);
    return 0;
}
