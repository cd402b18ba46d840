/* Catching SIGSEGV in static glibc test programs: the handler records si_addr (and si_code) and jumps back to the
   probe that set jb; catch_segv() installs it and makes stdout unbuffered, so output before a final fatal fault is
   kept. fault_pages() gives three pages to fault on: readable and writable, PROT_NONE, unmapped. */
#ifndef SEGV_CATCH_H
#define SEGV_CATCH_H
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

static sigjmp_buf jb;
static volatile uintptr_t last;
static volatile int last_code;

static void segv_handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    last = (uintptr_t)si->si_addr;
    last_code = si->si_code;
    siglongjmp(jb, sig);
}

static void catch_segv(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa = {0};
    sa.sa_sigaction = segv_handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
}

static char *fault_pages(void)
{
    char *area = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(area + 2 * 4096, 4096);
    mprotect(area + 4096, 4096, PROT_NONE);
    return area;
}
#endif
