/* The syscall instruction's own register effects: RCX = the address after it, R11 = RFLAGS as they were (CF and
   the flags of a compare, which the emulator computes lazily), in a loop hot enough for native code. */
#include <stdio.h>

/* cmp a, b (and stc after it with `carry`), then pushfq, or then syscall: r11 must hold what pushfq saw (the
   flags of the compare, which the emulator keeps lazily until something reads them). */
#define FLAGS_AFTER(extra)                                                                                         \
    asm volatile("cmp %2, %1\n\t" extra "pushfq\n\tpop %0" : "=r"(flags) : "r"(a), "r"(b) : "cc")
#define SYSCALL_AFTER(extra)                                                                                       \
    asm volatile("cmp %4, %3\n\t" extra "mov $39, %%eax\n\tsyscall\n"                                              \
                 "2:\n\tlea 2b(%%rip), %2\n\tmov %%r11, %0\n\tmov %%rcx, %1"                                          \
                 : "=r"(r11), "=r"(rcx), "=&r"(after)                                                                \
                 : "r"(a), "r"(b)                                                                                   \
                 : "rax", "rcx", "r11", "memory", "cc")

static __attribute__((noinline)) int check(long a, long b, int carry)
{
    unsigned long r11, rcx, flags, after;
    if (carry) { FLAGS_AFTER("stc\n\t"); SYSCALL_AFTER("stc\n\t"); }
    else { FLAGS_AFTER(""); SYSCALL_AFTER(""); }
    return (r11 == flags) | (rcx == after) << 1;
}

int main(void)
{
    long values[] = { -3, -1, 0, 1, 2, 0x7fffffffffffffff };
    int good = 0, runs = 0;
    for (int round = 0; round < 200; round++)
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 6; j++, runs++)
                good += check(values[i], values[j], (i + j + round) & 1) == 3;
    printf("%d of %d syscalls left RFLAGS in r11 and the next address in rcx\n", good, runs);
    return 0;
}
