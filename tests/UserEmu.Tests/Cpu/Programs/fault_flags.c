/* The flags a SIGSEGV handler sees after cmp and a faulting load, in a hot loop (native code): the lazy flags the
 * cmp recorded are stored only in the load's out-of-line stub, and their CcDst is computed there too
 * (NativeBlockCompiler.SinkDeferredValues). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <sys/mman.h>
#include <setjmp.h>
static sigjmp_buf jb;
static volatile unsigned long seen_flags;
static void h(int s, siginfo_t *si, void *uc) {
  ucontext_t *u = uc;
  seen_flags = u->uc_mcontext.gregs[REG_EFL] & 0x8d5;
  siglongjmp(jb, 1);
}
int main(void) {
  struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_sigaction = h; sa.sa_flags = SA_SIGINFO; sigaction(SIGSEGV, &sa, 0);
  unsigned char *page = mmap(0, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
  mprotect(page + 4096, 4096, PROT_NONE);
  for (int i = 0; i < 4096; i++) page[i] = (unsigned char)(i * 37);
  unsigned long sum = 0;
  for (int round = 0; round < 3; round++)
  for (int i = 0; i < 4200; i++) {
    if (sigsetjmp(jb, 1)) { sum = sum * 31 + seen_flags; printf("fault at %d flags %lx\n", i, seen_flags); continue; }
    unsigned char a = (unsigned char)(i * 7), b = (unsigned char)(i * 13);
    unsigned char *p = page + i;
    unsigned char r, ne;
    __asm__ volatile("cmp %b3, %b2\n\tsetne %b1\n\tmovb (%4), %0\n\tmovb 1(%4), %0"
                     : "=&q"(r), "=&q"(ne) : "q"(a), "q"(b), "r"(p) : "cc", "memory");
    sum += r + ne;
  }
  printf("%lx\n", sum);
  return 0;
}
