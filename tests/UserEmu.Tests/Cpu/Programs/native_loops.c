/* Loops of one block that branch back to themselves, run long enough to be native code: each shape prints what it
   computed, so the native run is the oracle. Plain ALU chains, more live registers than native code has temp
   registers, swaps, partial-register writes, stores through a moving pointer (into a page of translated code too,
   which the emulator's managed side performs before the loop goes on), an op handed back to the managed side in the
   loop, a helper call, a function whose first block calls itself, a loop that faults after 32768 passes in native code (the signal frame's registers), a
   loop that only a signal ends, and a loop that rewrites its own code. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>
#include "code_copies.h"
#include "strided_fault.h"

static void alu_chain(void)
{
    unsigned long a = 1, b = 2, c = 3, i = 0, n = 3000000;
    __asm__ volatile("1: add %1, %0\n xor %2, %1\n imul %0, %2\n sub $3, %0\n add $1, %3\n cmp %3, %4\n jne 1b"
                     : "+r"(a), "+r"(b), "+r"(c), "+r"(i) : "r"(n) : "cc");
    printf("alu: %lx %lx %lx %lu\n", a, b, c, i);
}

static void many_registers(void)
{
    unsigned long a = 1, b = 0x9e3779b97f4a7c15ul, d = 5, s = 7, di = 11, r8 = 13, r9 = 17, n = 1000000;
    __asm__ volatile("1: add %1, %0\n xor %0, %2\n rol $5, %3\n add %2, %3\n imul %3, %4\n lea 1(%5,%4), %5\n sub %5, %6\n"
                     " dec %7\n jnz 1b"
                     : "+r"(a), "+r"(b), "+r"(d), "+r"(s), "+r"(di), "+r"(r8), "+r"(r9), "+r"(n) : : "cc");
    printf("many: %lx %lx %lx %lx %lx %lx %lx\n", a, b, d, s, di, r8, r9);
}

static void swaps(void)
{
    unsigned long a = 1, b = 2, n = 1000001;
    __asm__ volatile("1: xchg %0, %1\n add %2, %1\n dec %2\n jnz 1b" : "+r"(a), "+r"(b), "+r"(n) : : "cc");
    unsigned long x = 3, y = 4, t, m = 999999;
    __asm__ volatile("1: mov %0, %2\n mov %1, %0\n lea 7(%2,%3), %1\n dec %3\n jnz 1b" : "+r"(x), "+r"(y), "=&r"(t), "+r"(m) : : "cc");
    printf("swaps: %lx %lx %lx %lx %lx\n", a, b, x, y, t);
}

static void partial_writes(void)
{
    unsigned long a = 0x1122334455667788ul, b = 0x99, d = 0, n = 777777;
    __asm__ volatile("1: add %%cl, %%al\n xor %%al, %%bl\n add %%rbx, %%rdx\n mov %%ax, %%r8w\n add %%r8, %%rdx\n dec %%rcx\n jnz 1b"
                     : "+a"(a), "+b"(b), "+d"(d), "+c"(n) : : "r8", "cc");
    printf("partial: %lx %lx %lx\n", a, b, d);
}

static unsigned long buffer[4096];

/* Stores n values from a through p; returns the next value. */
static __attribute__((noinline)) unsigned long fill(unsigned long *p, unsigned long n, unsigned long a)
{
    __asm__ volatile("1: mov %0, (%1)\n add $8, %1\n lea 3(%0,%2), %0\n dec %2\n jnz 1b" : "+r"(a), "+r"(p), "+r"(n) : : "cc", "memory");
    return a;
}

static unsigned long checksum(const unsigned long *p, int n)
{
    unsigned long sum = 0;
    for (int k = 0; k < n; k++) sum = sum * 31 + p[k];
    return sum;
}

static void stores_through_pointer(void)
{
    unsigned long a = fill(buffer, 4096, 5);
    printf("stores: %lx %lx\n", a, checksum(buffer, 4096));
}

/* The same loop, warm, then storing into a page that holds translated code (not its own): the emulator performs that
   store on its managed side and goes on in the loop's native code, whose carried registers must survive the trip. */
static void stores_into_code_page(void)
{
    const long pages = 16;
    unsigned char *area = mmap(NULL, (pages + 1) * 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED) { perror("mmap"); return; }
    unsigned char *page = area + pages * 4096, *fn = page + 4000;
    static const unsigned char ret42[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 }; /* mov eax, 42; ret */
    memcpy(fn, ret42, sizeof ret42);
    unsigned long got = ((unsigned (*)(void))fn)(), a = 1;
    for (int run = 0; run < 200; run++) a = fill((unsigned long *)area, pages * 512, a);
    /* From 64 bytes before the code's page: the loop block's passes (not the function's first, which its entry block
       runs) reach the page. */
    a = fill((unsigned long *)(page - 64), 100, a);
    got += ((unsigned (*)(void))fn)();
    printf("code page: %lx %lx %lx %lu\n", a, checksum((unsigned long *)area, pages * 512), checksum((unsigned long *)(page - 64), 100), got);
}

static void handed_back_op(void)
{
    unsigned long a = 0x0102030405060708ul, d, n = 200000;
    __asm__ volatile("1: movq %0, %%xmm0\n pshuflw $0x1b, %%xmm0, %%xmm0\n movq %%xmm0, %1\n add %1, %0\n add %2, %0\n dec %2\n jnz 1b"
                     : "+r"(a), "=&r"(d), "+r"(n) : : "xmm0", "cc");
    printf("handed back: %lx %lx\n", a, d);
}

static void helper_call(void)
{
    unsigned long a = 123456789, s = 0, n = 100000, q = 7;
    __asm__ volatile("1: xor %%edx, %%edx\n div %[q]\n add %%rdx, %[s]\n lea 1000003(%%rax,%%rcx,8), %%rax\n dec %%rcx\n jnz 1b"
                     : "+a"(a), [s] "+r"(s), "+c"(n) : [q] "r"(q) : "rdx", "cc");
    printf("helper: %lx %lx\n", a, s);
}

/* Recursion whose first block ends by calling itself: a call back to the block is not a loop (its return site runs
   after the callee has used every host register). */
static __attribute__((noinline)) unsigned long halves(const unsigned long *p, unsigned long n)
{
    if (n <= 1) return p[0];
    unsigned long h = n >> 1;
    unsigned long a = halves(p, h);
    unsigned long b = halves(p + h, n - h);
    return a * 31 + b;
}

static void self_recursion(void)
{
    unsigned long total = 0;
    for (int k = 0; k < 4096; k++) buffer[k] = (unsigned long)k * 2654435761u;
    for (int run = 0; run < 50; run++) total += halves(buffer, 4096 - run);
    printf("recursion: %lx\n", total);
}


static void on_segv(int sig, siginfo_t *si, void *context)
{
    (void)sig;
    ucontext_t *uc = context;
    char line[200];
    int len = snprintf(line, sizeof line, "fault at +%ld: rax %llx rcx %lld rsi +%lld\n", (long)((char *)si->si_addr - region),
                       (unsigned long long)uc->uc_mcontext.gregs[REG_RAX], (long long)uc->uc_mcontext.gregs[REG_RCX],
                       (long long)(uc->uc_mcontext.gregs[REG_RSI] - (long)region));
    write(1, line, len);
    siglongjmp(faulted, 1);
}

/* 32768 passes in native code before the load that faults. */
static void faulting_loop(void)
{
    char *p = strided_region(on_segv);
    if (p == NULL) return;
    if (sigsetjmp(faulted, 1) == 0) {
        __asm__ volatile("xor %%eax, %%eax\n xor %%ecx, %%ecx\n 1: movzbl (%%rsi), %%edx\n add %%rdx, %%rax\n add $64, %%rsi\n inc %%rcx\n jmp 1b"
                         : "+S"(p) : : "rax", "rcx", "rdx", "cc", "memory");
    }
    signal(SIGSEGV, SIG_DFL);
}

static volatile sig_atomic_t stop;
static void on_alarm(int sig) { (void)sig; stop = 1; }

static void interrupted_loop(void)
{
    signal(SIGALRM, on_alarm);
    struct itimerval it = { { 0, 0 }, { 0, 20000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    unsigned long n = 0;
    __asm__ volatile("1: inc %0\n cmpl $0, (%1)\n je 1b" : "+r"(n) : "r"(&stop) : "cc", "memory");
    printf("alarm: %s\n", n > 0 ? "stopped the loop" : "no passes");
}

/* mov ecx, 1000; xor eax, eax; then the loop: add eax, imm8; cmp ecx, 501; sbb edx, edx; and edx, 4; add edx, 1;
   mov [the add's imm8], dl; dec ecx; jnz loop; ret. Each pass rewrites the add the next pass runs (1 while ecx > 501,
   then 5). */
static void self_rewriting_loop(void)
{
    static const unsigned char code[] = {
        0xb9, 0xe8, 0x03, 0x00, 0x00, 0x31, 0xc0,
        0x83, 0xc0, 0x01, 0x81, 0xf9, 0xf5, 0x01, 0x00, 0x00, 0x19, 0xd2, 0x83, 0xe2, 0x04, 0x83, 0xc2, 0x01,
        0x88, 0x15, 0xeb, 0xff, 0xff, 0xff, 0xff, 0xc9, 0x75, 0xe5, 0xc3,
    };
    printf("self-rewriting: %lu\n", run_copies(code, sizeof code, 20));
}

int main(void)
{
    alu_chain();
    many_registers();
    swaps();
    partial_writes();
    stores_through_pointer();
    stores_into_code_page();
    handed_back_op();
    helper_call();
    self_recursion();
    faulting_loop();
    interrupted_loop();
    self_rewriting_loop();
    return 0;
}
