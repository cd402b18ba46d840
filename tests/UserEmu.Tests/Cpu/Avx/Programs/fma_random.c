// FMA3 against the host: random and special operands (NaNs, infinities, denormals, huge/tiny) in every MXCSR
// rounding mode, with DAZ/FTZ; 200000 rounds of 38 lane results each, hashed with the MXCSR flags.
#include <immintrin.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
static uint64_t s=88172645463325252ull; static uint64_t rnd(){ s^=s<<13; s^=s>>7; s^=s<<17; return s; }
static const uint32_t fsp[]={0,0x80000000,0x7f800000,0xff800000,0x7fc00000,0x7fa00000,0xffc00001,0x00000001,0x807fffff,0x00800000,0x3f800000,0xbf800000,0x7f7fffff,0xff7fffff,0x33800000,0x0c000000};
static const uint64_t dsp[]={0,0x8000000000000000,0x7ff0000000000000,0xfff0000000000000,0x7ff8000000000000,0x7ff4000000000000,0x0000000000000001,0x800fffffffffffff,0x0010000000000000,0x3ff0000000000000,0xbff0000000000000,0x7fefffffffffffff,0x3ca0000000000000,0x2000000000000000};
static uint32_t rf(){ uint64_t r=rnd(); switch(r%8){case 0: return fsp[(r>>8)%16]; case 1: return (uint32_t)(r>>16)&0x807fffff; case 2: return 0x3f800000 ^ ((r>>20)&0x3ff); case 3: return ((uint32_t)(r>>12)&0x80ffffff)|0x0b000000; default: return (uint32_t)(r>>24);} }
static uint64_t rd(){ uint64_t r=rnd(); switch(r%8){case 0: return dsp[(r>>8)%14]; case 1: return rnd()&0x800fffffffffffffull; case 2: return 0x3ff0000000000000ull ^ (rnd()&0xfffffff); case 3: return (rnd()&0x80ffffffffffffffull)|0x0300000000000000ull; default: return rnd();} }
int main(){
  uint32_t modes[]={0x1f80,0x3f80,0x5f80,0x7f80,0x9fc0,0x1fc0,0x8000|0x1f80};
  unsigned long h=0;
  for(int it=0; it<200000; it++){
    uint32_t mx = modes[it%7];
    float fa[8],fb[8],fc[8]; double da[4],db[4],dc[4];
    for(int i=0;i<8;i++){ uint32_t x=rf(),y=rf(),z=rf(); memcpy(&fa[i],&x,4);memcpy(&fb[i],&y,4);memcpy(&fc[i],&z,4);}
    for(int i=0;i<4;i++){ uint64_t x=rd(),y=rd(),z=rd(); memcpy(&da[i],&x,8);memcpy(&db[i],&y,8);memcpy(&dc[i],&z,8);}
    __m256 a=_mm256_loadu_ps(fa), b=_mm256_loadu_ps(fb), c=_mm256_loadu_ps(fc);
    __m256d A=_mm256_loadu_pd(da), B=_mm256_loadu_pd(db), C=_mm256_loadu_pd(dc);
    uint32_t out_mx; __m256 r1,r2,r3; __m256d R1,R2,R3; __m128 r4; __m128d R4;
    asm volatile("ldmxcsr %[m]\n"
      "vmovaps %[a], %[r1]\n vfmadd231ps %[b], %[c], %[r1]\n"
      "vmovaps %[b], %[r2]\n vfnmsub132ps %[c], %[a], %[r2]\n"
      "vmovaps %[c], %[r3]\n vfmaddsub213ps %[a], %[b], %[r3]\n"
      "vmovapd %[A], %[R1]\n vfmsub231pd %[B], %[C], %[R1]\n"
      "vmovapd %[B], %[R2]\n vfnmadd213pd %[C], %[A], %[R2]\n"
      "vmovapd %[C], %[R3]\n vfmsubadd132pd %[A], %[B], %[R3]\n"
      "vmovaps %x[a], %[r4]\n vfmadd132ss %x[b], %x[c], %[r4]\n"
      "vmovapd %x[A], %[R4]\n vfnmsub231sd %x[B], %x[C], %[R4]\n"
      "stmxcsr %[o]\n"
      : [r1]"=&x"(r1),[r2]"=&x"(r2),[r3]"=&x"(r3),[R1]"=&x"(R1),[R2]"=&x"(R2),[R3]"=&x"(R3),[r4]"=&x"(r4),[R4]"=&x"(R4),[o]"=m"(out_mx)
      : [m]"m"(mx),[a]"x"(a),[b]"x"(b),[c]"x"(c),[A]"x"(A),[B]"x"(B),[C]"x"(C));
    unsigned char buf[32*6+32]; memcpy(buf,&r1,32);memcpy(buf+32,&r2,32);memcpy(buf+64,&r3,32);memcpy(buf+96,&R1,32);memcpy(buf+128,&R2,32);memcpy(buf+160,&R3,32);memcpy(buf+192,&r4,16);memcpy(buf+208,&R4,16);
    unsigned long hh=1469598103934665603ul; for(int i=0;i<224;i++){hh^=buf[i];hh*=1099511628211ul;} hh^=out_mx; hh*=1099511628211ul;
    h = h*31 + hh;
    if (it % 1000 == 0) printf("%d %lx %x\n", it, hh, out_mx);
  }
  printf("total %lx\n", h);
}
