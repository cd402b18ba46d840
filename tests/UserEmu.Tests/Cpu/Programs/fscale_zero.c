// fscale of a denormal ST(0) with underflow unmasked, by ±0, by values truncating to 0, and by 1 (a mismatch of the long differential run, x87 seed 1015).
#include <stdio.h>
#include <string.h>
int main(){
  long double ys[] = {0.0L, -0.0L, 0.5L, -0.75L, 1.0L};
  for (int i=0;i<5;i++){
    unsigned char x[10]; unsigned long long m=0x6491c33e6ee7d44cULL; memcpy(x,&m,8); x[8]=0; x[9]=0;
    unsigned short cw=0x016f, sw; unsigned char r[10];
    asm volatile("fninit\n fldcw %3\n fldt %4\n fldt %2\n fscale\n fnstsw %1\n fnclex\n fstpt %0\n fstp %%st(0)\n fninit"
      : "=m"(r), "=m"(sw) : "m"(x), "m"(cw), "m"(ys[i]));
    unsigned long long rm; memcpy(&rm,r,8);
    printf("y=%Lg sw=%04x r=%02x%02x:%016llx\n", ys[i], sw, r[9], r[8], rm);
  }
}
