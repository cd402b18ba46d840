// cmps with both operands faulting: Intel reports the ES:[RDI] access, AMD the [RSI] one (two mismatches of the long differential run, Addr32DifferentialTests seeds 3009 and 3051).
#include <stdio.h>
#include <signal.h>
#include <setjmp.h>
#include <sys/mman.h>
#include <string.h>
static sigjmp_buf jb; static void *fa;
static void h(int s, siginfo_t *si, void *u){ fa = si->si_addr; siglongjmp(jb,1); }
// The first byte of an operand at hole+at that lies in the hole (the unmapped page), as " hole+N", or " none".
static const char *first_in_hole(long at, int sz, char *buf){
  for (long a = at; a < at + sz; a++) if (a >= 0 && a < 4096) { sprintf(buf, " hole%+ld", a); return buf; }
  return " none";
}
int main(){
  struct sigaction sa; memset(&sa,0,sizeof sa); sa.sa_sigaction=h; sa.sa_flags=SA_SIGINFO; sigaction(SIGSEGV,&sa,0);
  char *p = mmap(0, 3*4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
  munmap(p+4096, 4096); // hole in the middle
  char *hole = p+4096;
  struct { const char *name; long si, di; int df; int sz; } cases[] = {
    {"both in hole", 100, 200, 0, 4}, {"both in hole df", 100, 200, 1, 4},
    {"si hole, di ok", 100, 4096+100, 0, 4}, {"si ok, di hole", 4096+100, 100, 0, 4},
    {"both split", -2, -1, 0, 4}, {"both split df", 4094, 4093, 1, 4}, {"both in hole b", 300, 20, 0, 1},
  };
  for (unsigned k=0;k<sizeof cases/sizeof *cases;k++){
    fa = 0;
    if (!sigsetjmp(jb,1)) {
      const char *s = hole + cases[k].si, *d = hole + cases[k].di; long c = 1;
      if (cases[k].df) asm volatile("std");
      if (cases[k].sz == 4) asm volatile("repe cmpsl" : "+S"(s), "+D"(d), "+c"(c) :: "memory", "cc");
      else asm volatile("repe cmpsb" : "+S"(s), "+D"(d), "+c"(c) :: "memory", "cc");
      asm volatile("cld");
      printf("%s: no fault\n", cases[k].name);
    } else {
      asm volatile("cld");
      char a[32], b[32]; // which operands could fault: the test accepts either when both can (vendors differ)
      printf("%s: fault at hole%+ld (rsi%s, rdi%s)\n", cases[k].name, (long)((char*)fa - hole),
             first_in_hole(cases[k].si, cases[k].sz, a), first_in_hole(cases[k].di, cases[k].sz, b));
    }
  }
}
