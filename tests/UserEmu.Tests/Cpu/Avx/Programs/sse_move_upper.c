#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <setjmp.h>
static sigjmp_buf jb;
static void h(int s){ siglongjmp(jb, s); }
/* Legacy-SSE 128-bit moves (movups load, movaps register move) and double-lane shuffles (unpcklpd, unpckhpd, shufpd,
 * blendpd) keep bits 255:128 of the destination, which VEX.128 forms zero; a misaligned movaps faults. The loops run
 * hot, so native code (one host instruction each) runs them. */
int main(void){
  unsigned char out[32], src[48] __attribute__((aligned(16)));
  unsigned long sum = 0;
  for (int i = 0; i < 48; i++) src[i] = i * 7;
  for (int round = 0; round < 1000; round++) {
    __asm__ volatile(
      "vpcmpeqb %%ymm0, %%ymm0, %%ymm0\n\t"
      "vpcmpeqb %%ymm1, %%ymm1, %%ymm1\n\t"
      "movups (%1), %%xmm1\n\t"
      "movaps %%xmm1, %%xmm0\n\t"
      "vmovdqu %%ymm0, (%0)\n\t"
      "vzeroupper\n\t" :: "r"(out), "r"(src + (round & 15)) : "xmm0", "xmm1", "memory");
    for (int i = 0; i < 32; i++) sum = sum * 31 + out[i];
  }
  printf("%lx\n", sum);
  double pairs[8] __attribute__((aligned(16)));
  for (int round = 0; round < 3000; round++) {
    for (int i = 0; i < 8; i++) pairs[i] = (double)((round * 8 + i) * 2654435761u % 1000003) / 7.0;
#define SHUFFLE(insn)                                                                                             \
    __asm__ volatile(                                                                                             \
      "vpcmpeqb %%ymm2, %%ymm2, %%ymm2\n\t"                                                                        \
      "movupd (%1), %%xmm3\n\t"                                                                                     \
      "movapd 16(%1), %%xmm2\n\t"                                                                                   \
      insn "\n\t"                                                                                                   \
      "vmovdqu %%ymm2, (%0)\n\t"                                                                                    \
      "vzeroupper\n\t" :: "r"(out), "r"(pairs) : "xmm2", "xmm3", "memory");                                          \
    for (int i = 0; i < 32; i++) sum = sum * 31 + out[i];
    SHUFFLE("unpcklpd %%xmm3, %%xmm2") SHUFFLE("unpckhpd %%xmm3, %%xmm2") SHUFFLE("unpcklpd 32(%1), %%xmm2")
    SHUFFLE("unpckhpd 48(%1), %%xmm2") SHUFFLE("shufpd $0, %%xmm3, %%xmm2") SHUFFLE("shufpd $1, %%xmm3, %%xmm2")
    SHUFFLE("shufpd $2, %%xmm3, %%xmm2") SHUFFLE("shufpd $3, 32(%1), %%xmm2") SHUFFLE("blendpd $1, %%xmm3, %%xmm2")
    SHUFFLE("blendpd $2, 48(%1), %%xmm2") SHUFFLE("unpckhpd %%xmm2, %%xmm2") SHUFFLE("punpcklqdq %%xmm3, %%xmm2")
  }
  printf("%lx\n", sum);
  signal(SIGSEGV, h);
  int s = sigsetjmp(jb, 1);
  if (s == 0) { __asm__ volatile("movaps (%0), %%xmm2" :: "r"(src + 1) : "xmm2"); printf("no fault\n"); }
  else printf("fault %d\n", s);
  return 0;
}
