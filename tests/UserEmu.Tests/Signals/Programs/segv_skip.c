/* A SIGSEGV handler reads si_addr/si_code and edits the ucontext to step over the faulting load. */
#include "rt.h"
static int hits;
static void on_segv(int sig, siginfo* si, void* uc) {
    hits++;
    say("sig", sig);
    say("code", si->code);
    say("addr", (long)si->u.addr);
    u64* g = gregs(uc);
    g[REG_RIP] += 3;          /* mov (%rax),%ecx is 2 bytes + the 1-byte nop marker below */
    g[REG_RCX] = 1234;
}
void _start(void) {
    sigact(11, on_segv, SA_SIGINFO, 0);
    long v;
    __asm__ volatile("mov $0x10, %%rax\n mov (%%rax), %%ecx\n nop\n" : "=c"(v) :: "rax");
    say("after", v);
    say("hits", hits);
    /* The handler's mask came back: SIGSEGV is unblocked again. */
    u64 old; sigmask(0, 0, &old);
    say("mask_after", old);
    __asm__ volatile("mov $0x20, %%rax\n mov (%%rax), %%ecx\n nop\n" : "=c"(v) :: "rax");
    say("hits", hits);
    exit_group(0);
}
