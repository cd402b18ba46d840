/* Loops of two pieces, which a block translates as one (LoopTrace): a block ending in a jcc back to code before it that
   runs into the block's start or into a jcc back to it. Each shape is written in assembly so that the compiler cannot
   lay it out otherwise, runs long enough to be native code and prints what it computed, so the native run is the
   oracle: a loop whose latch comes before its head (gcc's layout of a loop with `continue`), a loop whose head's
   forward jcc goes to the latch (gzip's longest_match), an exit jcc in the code before the block, a fault in that code
   (the signal frame's RIP and registers), and a loop that rewrites an immediate in that code. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#include "code_copies.h"
#include "strided_fault.h"

static unsigned char bytes[1 << 16];
static unsigned short chain[1 << 15];

static void fill(void)
{
    unsigned s = 12345;
    for (unsigned i = 0; i < sizeof bytes; i++) {
        s = s * 1103515245 + 12345;
        bytes[i] = s >> 24;
    }
    for (unsigned i = 0; i < sizeof chain / sizeof chain[0]; i++) {
        s = s * 1103515245 + 12345;
        chain[i] = (s >> 8) | 1;
    }
}

/* The latch first: jmp to the head, whose jne goes back to the latch (the hot path), which falls into the head. */
static void latch_first(void)
{
    unsigned long h = 7, i = 0, n = sizeof bytes;
    __asm__ volatile(
        "   jmp 2f\n"
        "1: add %%rdx, %0\n"
        "   add $1, %1\n"
        "   cmp %2, %1\n"
        "   jge 3f\n"
        "2: movzbl (%3,%1), %%edx\n"
        "   cmp $0xab, %%dl\n"
        "   jne 1b\n"
        "   imul $31, %0, %0\n"
        "   add %1, %0\n"
        "   cmp $42, %0\n"
        "   jne 1b\n"
        "3:\n"
        : "+r"(h), "+r"(i) : "r"(n), "r"(bytes) : "rdx", "cc", "memory");
    printf("latch first: %lu after %lu\n", h, i);
}

/* The head's jne goes forward to the latch (the hot path), whose jnz goes back to the head. */
static void head_to_latch(void)
{
    unsigned long found = 0, cur = 7, count = 200000;
    __asm__ volatile(
        "1: movzbl (%3,%1), %%eax\n"
        "   cmp $0xab, %%al\n"
        "   jne 2f\n"
        "   add %1, %0\n"
        "2: and $0x7fff, %k1\n"
        "   movzwl (%4,%1,2), %k1\n"
        "   dec %2\n"
        "   jnz 1b\n"
        : "+r"(found), "+r"(cur), "+r"(count) : "r"(bytes), "r"(chain) : "rax", "cc", "memory");
    printf("head to latch: %lu, last %lu\n", found, cur);
}

/* An exit in the code before the block: the count runs out there, inside what the block translated. */
static void exit_before_start(void)
{
    unsigned long sum = 0, left = 150000, x = 1;
    __asm__ volatile(
        "   jmp 2f\n"
        "1: sub $1, %1\n"
        "   jz 3f\n"
        "   add %2, %0\n"
        "2: imul $1103515245, %2, %2\n"
        "   add $12345, %2\n"
        "   test $0x300, %2\n"
        "   jnz 1b\n"
        "   xor %2, %0\n"
        "   jmp 1b\n"
        "3:\n"
        : "+r"(sum), "+r"(left), "+r"(x) : : "cc");
    printf("exit before start: %lx %lx\n", sum, x);
}

extern char trace_fault_insn[];

static void on_segv(int sig, siginfo_t *si, void *context)
{
    (void)sig;
    ucontext_t *uc = context;
    char line[200];
    int len = snprintf(line, sizeof line, "fault at +%ld, rip %s, rax %llx rcx %lld rsi +%lld\n",
                       (long)((char *)si->si_addr - region),
                       uc->uc_mcontext.gregs[REG_RIP] == (long)trace_fault_insn ? "at the load" : "elsewhere",
                       (unsigned long long)uc->uc_mcontext.gregs[REG_RAX], (long long)uc->uc_mcontext.gregs[REG_RCX],
                       (long long)(uc->uc_mcontext.gregs[REG_RSI] - (long)region));
    write(1, line, len);
    siglongjmp(faulted, 1);
}

/* A load in the code before the block walks into a page without access after 32768 passes (twice the chain budget). */
static void fault_before_start(void)
{
    char *p = strided_region(on_segv);
    if (p == NULL) return;
    if (sigsetjmp(faulted, 1) == 0) {
        __asm__ volatile(
            "   xor %%eax, %%eax\n"
            "   xor %%ecx, %%ecx\n"
            "   jmp 2f\n"
            "1:\n"
            "trace_fault_insn: movzbl (%%rsi), %%edx\n"
            "   add %%rdx, %%rax\n"
            "   add $64, %%rsi\n"
            "2: inc %%rcx\n"
            "   cmp $-1, %%rcx\n"
            "   jb 1b\n"
            : "+S"(p) : : "rax", "rcx", "rdx", "cc", "memory");
    }
    signal(SIGSEGV, SIG_DFL);
}

/* mov ecx, 1000; xor eax, eax; jmp start; then the code before the block: add eax, imm8; and the block (start): cmp
   ecx, 501; sbb edx, edx; and edx, 4; add edx, 1; mov [the add's imm8], dl; dec ecx; jnz back to the add; ret. Each
   pass rewrites the add the next pass runs (1 while ecx >= 501, then 5). */
static void rewrites_code_before_start(void)
{
    static const unsigned char code[] = {
        0xb9, 0xe8, 0x03, 0x00, 0x00, 0x31, 0xc0, 0xeb, 0x03,
        0x83, 0xc0, 0x01,
        0x81, 0xf9, 0xf5, 0x01, 0x00, 0x00, 0x19, 0xd2, 0x83, 0xe2, 0x04, 0x83, 0xc2, 0x01,
        0x88, 0x15, 0xeb, 0xff, 0xff, 0xff, 0xff, 0xc9, 0x75, 0xe5, 0xc3,
    };
    printf("rewrites code before start: %lu\n", run_copies(code, sizeof code, 20));
}

int main(void)
{
    fill();
    for (int round = 0; round < 3; round++) {
        latch_first();
        head_to_latch();
        exit_before_start();
    }
    fault_before_start();
    rewrites_code_before_start();
    return 0;
}
