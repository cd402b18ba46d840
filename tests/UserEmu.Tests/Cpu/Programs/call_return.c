// Guest calls and rets that do not pair up as a return-stack predictor expects: recursion deeper than the emulator
// keeps return pairs for, a ret to an address its call did not push, a call that never returns (get-PC), longjmp out
// of a recursion, and indirect calls from several sites. Each runs hot enough for native code.
#include <setjmp.h>
#include <stdio.h>

// Returns past the 5-byte instruction after its call.
asm(".text\n.globl skip_ret\nskip_ret:\n addq $5, (%rsp)\n ret\n");

__attribute__((noinline)) long depth_sum(long n) { return n == 0 ? 0 : n + depth_sum(n - 1) * 3 % 1000003; }

// even calls odd forwards, odd calls even backwards: only the backward calls spend the emulator's chain budget, so more
// calls than that budget can be pending at once.
long odd_depth(long n);
__attribute__((noinline)) long even_depth(long n) { return n == 0 ? 1 : odd_depth(n - 1) + 1; }
__attribute__((noinline)) long odd_depth(long n) { return n == 0 ? 2 : even_depth(n - 1) * 2 % 1000003; }

static long skipped(void)
{
    long r;
    asm volatile("sub $128, %%rsp\n xor %%eax, %%eax\n call skip_ret\n mov $1, %%eax\n add $10, %%eax\n add $128, %%rsp"
                 : "=a"(r) : : "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc");
    return r;
}

static long get_pc_offset(void)
{
    long here, there;
    asm volatile("sub $128, %%rsp\n call 1f\n1: pop %0\n lea 1b(%%rip), %1\n add $128, %%rsp" : "=r"(here), "=r"(there));
    return here - there;
}

static jmp_buf escape;
__attribute__((noinline)) long dive(long n)
{
    if (n == 0) longjmp(escape, 7);
    return dive(n - 1) + 1;
}

__attribute__((noinline)) long twice(long x) { return 2 * x; }
__attribute__((noinline)) long inc(long x) { return x + 1; }
static long (*volatile ops[2])(long) = {twice, inc};

int main(void)
{
    long sum = 0;
    for (int round = 0; round < 40; round++) sum += depth_sum(3000 + round);
    for (int round = 0; round < 40; round++) sum += even_depth(5000 + round);
    printf("recursion %ld\n", sum);

    long skips = 0, pcs = 0, jumps = 0, calls = 0;
    for (int i = 0; i < 200000; i++)
    {
        skips += skipped();
        pcs += get_pc_offset();
        calls = ops[i & 1](calls) % 1000000007 + ops[(i >> 1) & 1](i);
    }
    for (int i = 0; i < 2000; i++)
    {
        volatile long depth = 50 + i % 100;
        int v = setjmp(escape);
        if (v == 0) dive(depth);
        else jumps += v + depth_sum(i % 64);
    }
    printf("skipped %ld get-pc %ld longjmp %ld indirect %ld\n", skips, pcs, jumps, calls);
    return 0;
}
