/* SIGSEGV from a smashed stack pointer runs on the sigaltstack; the handler repairs RSP/RIP through the ucontext. */
#include "rt.h"
static char altstack[16384];
static u64 saved_rsp;
static void recover(void);
static void on_segv(int sig, siginfo* si, void* uc) {
    char local;
    say("on_altstack", &local >= altstack && &local < altstack + sizeof altstack);
    struct { void* sp; int flags; u64 size; } cur;
    sys2(SYS_sigaltstack, 0, &cur);
    say("ss_flags_in_handler", cur.flags);
    u64* g = gregs(uc);
    g[REG_RSP] = saved_rsp;
    g[REG_RIP] = (u64)recover;
}
static void recover(void) { puts_("recovered\n"); exit_group(0); }
void _start(void) {
    struct { void* sp; int flags; u64 size; } ss = { altstack, 0, sizeof altstack }, old;
    say("sigaltstack", sys2(SYS_sigaltstack, &ss, &old));
    say("old_flags", old.flags);
    sigact(11, on_segv, SA_SIGINFO | SA_ONSTACK, 0);
    __asm__ volatile("mov %%rsp, %0\n" : "=m"(saved_rsp));
    __asm__ volatile("mov $0x1000, %%rsp\n push %%rax\n" ::: "memory");
    exit_group(1);
}
