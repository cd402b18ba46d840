// fprem/fprem1 of a denormal ST(0) with underflow unmasked, by infinities, a larger finite value and a smaller one (a mismatch of the long differential run, x87 seed 2002).
#include <stdio.h>
#include <string.h>
int main(){
  long double ys[] = {__builtin_infl(), -__builtin_infl(), 1.0L, -3.5L, 1e-4940L};
  for (int op=0; op<2; op++)
  for (int i=0;i<5;i++){
    unsigned char x[10]; unsigned long long m=0x00f597de2e8f4f5aULL; memcpy(x,&m,8); x[8]=0; x[9]=0;
    unsigned short cw=0x0e4f, sw; unsigned char r[10];
    if (op == 0)
      asm volatile("fninit\n fldcw %3\n fldt %4\n fldt %2\n fprem\n fnstsw %1\n fnclex\n fstpt %0\n fstp %%st(0)\n fninit"
        : "=m"(r), "=m"(sw) : "m"(x), "m"(cw), "m"(ys[i]));
    else
      asm volatile("fninit\n fldcw %3\n fldt %4\n fldt %2\n fprem1\n fnstsw %1\n fnclex\n fstpt %0\n fstp %%st(0)\n fninit"
        : "=m"(r), "=m"(sw) : "m"(x), "m"(cw), "m"(ys[i]));
    unsigned long long rm; memcpy(&rm,r,8);
    printf("%s y=%Lg sw=%04x r=%02x%02x:%016llx\n", op ? "fprem1" : "fprem", ys[i], sw, r[9], r[8], rm);
  }
}
