// F16C against the host: vcvtps2ph in each imm8 rounding mode and with MXCSR's, to registers and memory, and
// vcvtph2ps on random halves; 300000 rounds, hashed with the MXCSR flags.
#include <immintrin.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
static uint64_t s=88172645463325252ull; static uint64_t rnd(){ s^=s<<13; s^=s>>7; s^=s<<17; return s; }
static uint32_t rf(){ uint64_t r=rnd(); switch(r%6){case 0: return (uint32_t)(r>>32)&0x807fffff; case 1: return ((uint32_t)(r>>12)&0x87ffffff)|0x30000000; case 2: return ((uint32_t)(r>>12)&0x83ffffff)|0x38000000; case 3: return (uint32_t)(r>>16) ^ 0x7f800000; default: return (uint32_t)(r>>24);} }
int main(){
  uint32_t modes[]={0x1f80,0x3f80,0x5f80,0x7f80,0x9fc0,0x1fc0};
  unsigned long h=0;
  for(int it=0; it<300000; it++){
    uint32_t mx = modes[it%6];
    uint32_t in[8]; for(int i=0;i<8;i++) in[i]=rf();
    uint16_t hin[8]; for(int i=0;i<8;i++) hin[i]=(uint16_t)rnd();
    __m256 a; memcpy(&a,in,32); __m128i hv; memcpy(&hv,hin,16);
    __m128i o0,o1,o2,o3,o4; __m256 p0; __m128 p1; uint32_t omx; uint64_t mem[2];
    asm volatile("ldmxcsr %[m]\n vcvtps2ph $0, %[a], %[o0]\n vcvtps2ph $1, %x[a], %[o1]\n vcvtps2ph $2, %[a], %[o2]\n vcvtps2ph $3, %[a], %[o3]\n vcvtps2ph $4, %[a], %[o4]\n"
      "vcvtps2ph $6, %[a], %[mem]\n vcvtph2ps %[h], %[p0]\n vcvtph2ps %[h], %[p1]\n stmxcsr %[om]\n"
      : [o0]"=&x"(o0),[o1]"=&x"(o1),[o2]"=&x"(o2),[o3]"=&x"(o3),[o4]"=&x"(o4),[p0]"=&x"(p0),[p1]"=&x"(p1),[om]"=m"(omx),[mem]"=m"(mem)
      : [m]"m"(mx),[a]"x"(a),[h]"x"(hv));
    unsigned char buf[16*5+32+16+16]; memcpy(buf,&o0,16);memcpy(buf+16,&o1,16);memcpy(buf+32,&o2,16);memcpy(buf+48,&o3,16);memcpy(buf+64,&o4,16);memcpy(buf+80,&p0,32);memcpy(buf+112,&p1,16);memcpy(buf+128,mem,16);
    unsigned long hh=1469598103934665603ul; for(int i=0;i<144;i++){hh^=buf[i];hh*=1099511628211ul;} hh^=omx; hh*=1099511628211ul;
    h=h*31+hh;
    if (it % 1000 == 0) printf("%d %lx %x\n", it, hh, omx);
  }
  printf("total %lx\n", h);
}
