/* For loops that run long in native code before they fault: a 2 MiB region whose every 64th byte holds its index
   (a strided walk reads 32768 of them, twice the native tier's chain budget) followed by a page without access, and
   a SIGSEGV handler of the program's own that reports the frame and jumps back to `faulted`. */
#ifndef STRIDED_FAULT_H
#define STRIDED_FAULT_H
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>

static sigjmp_buf faulted;
static char *region;

/* Maps and fills the region (null if it could not), and installs `handler` for SIGSEGV. */
static char *strided_region(void (*handler)(int, siginfo_t *, void *))
{
    const long size = 2 << 20;
    region = mmap(NULL, size + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) { perror("mmap"); return NULL; }
    mprotect(region + size, 4096, PROT_NONE);
    for (long k = 0; k < size; k += 64) region[k] = (char)(k >> 6);
    struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
    sigaction(SIGSEGV, &sa, NULL);
    return region;
}
#endif
