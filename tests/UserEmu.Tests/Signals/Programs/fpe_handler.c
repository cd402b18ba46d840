/* SIGFPE from idiv: si_code FPE_INTDIV, the context's RIP is the idiv; the handler skips it. */
#include "rt.h"
static void on_fpe(int sig, siginfo* si, void* uc) {
    say("sig", sig); say("code", si->code);
    u64* g = gregs(uc);
    say("rip_is_addr", g[REG_RIP] == (u64)si->u.addr);
    g[REG_RIP] += 2; /* div %ecx */
    g[REG_RAX] = 77;
}
void _start(void) {
    sigact(8, on_fpe, SA_SIGINFO, 0);
    long r;
    __asm__ volatile("xor %%edx,%%edx\n mov $5,%%eax\n xor %%ecx,%%ecx\n div %%ecx\n" : "=a"(r) :: "rcx", "rdx");
    say("result", r);
    exit_group(0);
}
