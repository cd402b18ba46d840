// VEX forms against the host: 128- and 256-bit integer, float, shuffle, permute, blend, broadcast, mask,
// gather, conversion and scalar operations through compiler intrinsics.
#include <immintrin.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
static void pr(const char*n, __m256i v){ uint64_t a[4]; memcpy(a,&v,32); printf("%s %016lx %016lx %016lx %016lx\n",n,a[0],a[1],a[2],a[3]); }
static void pr1(const char*n, __m128i v){ uint64_t a[2]; memcpy(a,&v,16); printf("%s %016lx %016lx\n",n,a[0],a[1]); }
int forms1(void);
#define P(n,x) pr(n, (__m256i)(x))
#define P1(n,x) pr1(n, (__m128i)(x))
int main(){
  static uint8_t buf[256] __attribute__((aligned(32))); for(int i=0;i<256;i++) buf[i]=i*37+5+(i>>3);
  __m256i a = _mm256_load_si256((void*)buf), b=_mm256_loadu_si256((void*)(buf+33)), c=_mm256_loadu_si256((void*)(buf+70));
  __m256 fa=_mm256_cvtepi32_ps(_mm256_srai_epi32(a,8)), fb=_mm256_cvtepi32_ps(_mm256_srai_epi32(b,9));
  __m256d da=_mm256_cvtepi32_pd(_mm256_castsi256_si128(a)), db=_mm256_cvtps_pd(_mm256_castps256_ps128(fb));
  P("perm2", _mm256_permute2x128_si256(a,b,0x21)); P("perm2z", _mm256_permute2x128_si256(a,b,0x83));
  P("permq", _mm256_permute4x64_epi64(a,0x4e)); P("permd", _mm256_permutevar8x32_epi32(a,b));
  P("permps", _mm256_permutevar8x32_ps(fa,b)); P("permilps", _mm256_permute_ps(fa,0x39)); P("permilpd", _mm256_permute_pd(da,0x5));
  P("permilvps", _mm256_permutevar_ps(fa,b)); P("permilvpd", _mm256_permutevar_pd(da,b));
  P("blendd", _mm256_blend_epi32(a,b,0xa5)); P("blendvps", _mm256_blendv_ps(fa,fb,_mm256_castsi256_ps(c)));
  P("blendvpd", _mm256_blendv_pd(da,db,_mm256_castsi256_pd(c))); P("blendvb", _mm256_blendv_epi8(a,b,c));
  P("sllv", _mm256_sllv_epi32(a,_mm256_and_si256(b,_mm256_set1_epi32(63)))); P("srlvq", _mm256_srlv_epi64(a,_mm256_and_si256(b,_mm256_set1_epi64x(127))));
  P("srav", _mm256_srav_epi32(a,_mm256_and_si256(b,_mm256_set1_epi32(63))));
  P("bcb", _mm256_broadcastb_epi8(_mm256_castsi256_si128(b))); P("bcw", _mm256_broadcastw_epi16(_mm256_castsi256_si128(b)));
  P("bcss", _mm256_broadcast_ss((float*)(buf+12))); P("bcsd", _mm256_broadcast_sd((double*)(buf+24)));
  P("bc128", _mm256_broadcastsi128_si256(_mm256_castsi256_si128(c))); P("bcf128", _mm256_broadcast_ps((__m128*)(buf+48)));
  P("ins", _mm256_inserti128_si256(a,_mm256_castsi256_si128(b),1)); P1("ext", _mm256_extracti128_si256(b,1));
  printf("movmsk %x %x %x\n", _mm256_movemask_epi8(a), _mm256_movemask_ps(fa), _mm256_movemask_pd(da));
  printf("ptest %d %d %d\n", _mm256_testz_si256(a,b), _mm256_testc_si256(a,a), _mm256_testnzc_si256(a,c));
  printf("vtest %d %d %d\n", _mm256_testz_ps(fa,fb), _mm_testc_pd(_mm256_castpd256_pd128(da),_mm256_castpd256_pd128(db)), _mm256_testnzc_pd(da,db));
  P("zxbw", _mm256_cvtepu8_epi16(_mm256_castsi256_si128(a))); P("sxbd", _mm256_cvtepi8_epi32(_mm256_castsi256_si128(a)));
  P("zxbq", _mm256_cvtepu8_epi64(_mm_loadu_si128((void*)(buf+3)))); P("sxdq", _mm256_cvtepi32_epi64(_mm256_castsi256_si128(c)));
  P("cvtps2pd", db); P("cvtdq2pd", da); P1("cvtpd2ps", _mm256_cvtpd_ps(db)); P1("cvtpd2dq", _mm256_cvtpd_epi32(db)); P1("cvttpd2dq", _mm256_cvttpd_epi32(_mm256_mul_pd(db,db)));
  P("dup", _mm256_movedup_pd(da)); P("shdup", _mm256_movehdup_ps(fa));
  P1("movss", _mm_move_ss(_mm256_castps256_ps128(fa), _mm256_castps256_ps128(fb))); P1("loadss", _mm_load_ss((float*)(buf+8)));
  P("maskld", _mm256_maskload_epi32((int*)(buf+4), c)); P1("maskld", _mm_maskload_pd((double*)(buf+4), _mm256_castsi256_si128(b)));
  _mm256_maskstore_epi64((long long*)(buf+128), a, b); P("maskst", _mm256_loadu_si256((void*)(buf+128)));
  int idx[8] = {3,1,7,0,12,5,2,9};
  P("gatherd", _mm256_i32gather_epi32((int*)buf, _mm256_loadu_si256((void*)idx), 4));
  P("gatherq", _mm256_mask_i64gather_pd(da, (double*)buf, _mm256_set_epi64x(1,5,3,9), _mm256_castsi256_pd(c), 8));
  P1("gatherqd", _mm256_i64gather_epi32((int*)buf, _mm256_set_epi64x(1,5,3,9), 4));
  P("and_ps", _mm256_and_ps(fa,fb)); P("round", _mm256_round_pd(_mm256_div_pd(da,db), 1)); P("dp", _mm256_dp_ps(fa,fb,0xf1));
  P("maxpd", _mm256_max_pd(da,db)); P("addsub", _mm256_addsub_pd(da,db)); P("unpckhpd", _mm256_unpackhi_pd(da,db));
  P("sra", _mm256_sra_epi16(a, _mm_cvtsi32_si128(4))); P("slldq", _mm256_bslli_epi128(a, 3)); P("abs", _mm256_abs_epi8(a));
  P("mulhrs", _mm256_mulhrs_epi16(a,b)); P("maddubs", _mm256_maddubs_epi16(a,b)); P("packssdw", _mm256_packs_epi32(a,b));
  P("cmpgtq", _mm256_cmpgt_epi64(a,b)); P("mul_epu32", _mm256_mul_epu32(a,b)); P("hsubw", _mm256_hsub_epi16(a,b));
  P1("cvtsi2sd", _mm_cvtsi64_sd(_mm256_castpd256_pd128(da), -12345678901LL)); printf("cvtsd2si %ld\n", _mm_cvtsd_si64(_mm256_castpd256_pd128(db)));
  forms1();
  _mm256_zeroupper();
  return 0;
}

int forms1(void){
  volatile uint8_t buf[64]; for(int i=0;i<64;i++) buf[i]=i*37+5;
  __m256i a = _mm256_loadu_si256((void*)buf), b=_mm256_loadu_si256((void*)(buf+32));
  pr("add8", _mm256_add_epi8(a,b)); pr("sub16", _mm256_sub_epi16(a,b)); pr("mul", _mm256_mullo_epi32(a,b));
  pr("cmpeq", _mm256_cmpeq_epi8(a,a)); pr("min", _mm256_min_epu8(a,b)); pr("and", _mm256_and_si256(a,b));
  pr("shuf", _mm256_shuffle_epi8(a,b)); pr("unpk", _mm256_unpacklo_epi16(a,b)); pr("pack", _mm256_packus_epi16(a,b));
  pr("sll", _mm256_slli_epi32(a,5)); pr("srl", _mm256_srl_epi16(a,_mm_cvtsi32_si128(3))); pr("align", _mm256_alignr_epi8(a,b,5));
  pr("shufd", _mm256_shuffle_epi32(a,0x1b)); pr("blendw", _mm256_blend_epi16(a,b,0x5a)); pr("sad", _mm256_sad_epu8(a,b));
  __m256 fa=_mm256_cvtepi32_ps(a), fb=_mm256_cvtepi32_ps(b);
  pr("addps", _mm256_castps_si256(_mm256_add_ps(fa,fb))); pr("divps", _mm256_castps_si256(_mm256_div_ps(fa,fb)));
  pr("blendps", _mm256_castps_si256(_mm256_blend_ps(fa,fb,0x93))); pr("shufpd", _mm256_castpd_si256(_mm256_shuffle_pd(_mm256_castps_pd(fa),_mm256_castps_pd(fb),0x9)));
  pr("cmpps", _mm256_castps_si256(_mm256_cmp_ps(fa,fb,_CMP_NGE_UQ))); pr("sqrt", _mm256_castps_si256(_mm256_sqrt_ps(fa)));
  pr("mpsad", _mm256_mpsadbw_epu8(a,b,0x2d)); pr("hadd", _mm256_castps_si256(_mm256_hadd_ps(fa,fb)));
  __m128i x = _mm_loadu_si128((void*)(buf+3)), y=_mm_loadu_si128((void*)(buf+17));
  pr1("x add", _mm_add_epi32(x,y)); pr1("x ins", _mm_insert_epi8(x, buf[5], 7)); printf("ext %d\n", _mm_extract_epi16(y,3));
  pr1("x minps", _mm_castps_si128(_mm_min_ps(_mm_castsi128_ps(x),_mm_castsi128_ps(y))));
  float f = buf[3]; __m128 s=_mm_set_ss(f); s=_mm_add_ss(s,_mm_castsi128_ps(y)); pr1("x addss", _mm_castps_si128(s));
  printf("cvt %d\n", _mm_cvtss_si32(_mm_castsi128_ps(x)));
  pr1("x istr", _mm_cvtsi32_si128(_mm_cmpistri(x,y,0x0c)));
  return 0;
}
