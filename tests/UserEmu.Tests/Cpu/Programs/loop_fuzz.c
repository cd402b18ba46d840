/* Random one-block loops, generated into executable memory and run long enough to be native code; each loop's final
   registers, flags and memory are printed as a hash, so the native run is the oracle. The bodies mix 64-bit, 32-bit and
   8-bit ALU ops, imul, shifts, rotates, lea, moves, swaps, flag readers (adc, sbb, cmovc, setc), loads, stores and
   read-modify-write ops on a buffer, and rare side exits out of the loop; rcx counts the passes, r12 holds the buffer.
   The flags compared are those every op here defines (not AF, which test leaves undefined). Built with -mno-red-zone:
   the generated code is called from inline assembly. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static unsigned char *at;
static void b(unsigned v) { *at++ = (unsigned char)v; }

/* Registers the bodies use: rax, rdx, rbx, rsi, rdi, r8-r11 (rcx counts, r12 is the buffer, rsp and rbp stay). */
static const int regs[] = { 0, 2, 3, 6, 7, 8, 9, 10, 11 };
static int pick(void) { return regs[next() % 9]; }

static void rex(int w, int reg, int rm) { b(0x40 | (w ? 8 : 0) | (reg >= 8 ? 4 : 0) | (rm >= 8 ? 1 : 0)); }
static void modrm_rr(int reg, int rm) { b(0xc0 | (reg & 7) << 3 | (rm & 7)); }
/* [r12 + disp8]: mod 01, rm 100, SIB base r12 (REX.B set by the caller's rex). */
static void mem_r12(int reg, int disp) { b(0x44 | (reg & 7) << 3); b(0x24); b(disp); }

static void one_op(void)
{
    int d = pick(), s = pick(), disp = (next() % 16) * 8;
    static const unsigned alu[] = { 0x01, 0x29, 0x31, 0x21, 0x09, 0x11, 0x19 }; /* add sub xor and or adc sbb */
    switch (next() % 14) {
    case 0: case 1: case 2: rex(1, s, d); b(alu[next() % 7]); modrm_rr(s, d); break;
    case 3: rex(0, s, d); b(alu[next() % 7]); modrm_rr(s, d); break;                  /* 32-bit: zero-extends */
    case 4: rex(1, d, s); b(0x0f); b(0xaf); modrm_rr(d, s); break;                       /* imul d, s */
    case 5: rex(1, 0, d); b(0xc1); modrm_rr((int[]){ 4, 5, 7, 0, 1 }[next() % 5], d); b(1 + next() % 63); break;
    case 6: if ((s & 7) == 4) s = 0; rex(1, d, s); b(0x8d); b(0x40 | (d & 7) << 3 | (s & 7)); b(next() & 0x7f); break; /* lea d, [s + imm8] */
    case 7: rex(1, s, d); b(0x89); modrm_rr(s, d); break;                               /* mov d, s */
    case 8: rex(1, s, d); b(0x87); modrm_rr(s, d); break;                               /* xchg */
    case 9: { static const int low[] = { 0, 2, 3 }; int x = low[next() % 3], y = low[next() % 3]; b(0x00 + (next() % 2) * 0x30); modrm_rr(y, x); break; } /* add/xor al-dl-bl */
    case 10: rex(1, d, 12); b(0x8b); mem_r12(d, disp); break;                            /* mov d, [r12 + disp] */
    case 11: rex(1, s, 12); b(0x89); mem_r12(s, disp); break;                            /* mov [r12 + disp], s */
    case 12: rex(1, s, 12); b(0x01); mem_r12(s, disp); break;                            /* add [r12 + disp], s */
    case 13:
        if (next() % 2) { rex(1, d, s); b(0x0f); b(0x42); modrm_rr(d, s); }              /* cmovc d, s */
        else { rex(0, 0, d); b(0x0f); b(0x92); modrm_rr(0, d); }                         /* setc d8 */
        break;
    }
}

/* Generates a loop: its body, with now and then a side exit (test reg, mask; jz out), then dec ecx; jnz body; out: ret. */
static void generate(unsigned char *code)
{
    unsigned char *fixes[32];
    int nfix = 0;
    at = code;
    int ops = 3 + next() % 14;
    for (int k = 0; k < ops; k++) {
        one_op();
        if (next() % 8 == 0 && nfix < 32) {
            int r = pick();
            uint32_t mask = 0x3ffu << (next() % 20);
            rex(1, 0, r); b(0xf7); modrm_rr(0, r); memcpy(at, &mask, 4); at += 4;   /* test r, mask */
            b(0x0f); b(0x84); fixes[nfix++] = at; at += 4;                            /* jz out */
        }
    }
    b(0xff); b(0xc9);                                                              /* dec ecx */
    int32_t back = (int32_t)(code - (at + 6));
    b(0x0f); b(0x85); memcpy(at, &back, 4); at += 4;                               /* jnz body */
    for (int k = 0; k < nfix; k++) {
        int32_t rel = (int32_t)(at - (fixes[k] + 4));
        memcpy(fixes[k], &rel, 4);
    }
    b(0xc3);                                                                       /* out: ret */
}

static uint64_t fnv(const void *p, size_t n, uint64_t h)
{
    const unsigned char *c = p;
    for (size_t k = 0; k < n; k++) h = (h ^ c[k]) * 1099511628211u;
    return h;
}

int main(void)
{
    unsigned char *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) { perror("mmap"); return 1; }
    static uint64_t buffer[16];
    uint64_t all = 1469598103934665603u;
    for (int loop = 0; loop < 120; loop++) {
        memset(code, 0xcc, 4096);
        generate(code);
        for (int k = 0; k < 16; k++) buffer[k] = (uint64_t)next() << 32 | next();
        /* Every value first: a call between a register variable's assignment and the asm may clobber it. */
        uint64_t v[10] = { next(), next(), (uint64_t)next() << 20, next(), ~(uint64_t)next(), next(), next(), 1, next(), 60000 + next() % 1000 };
        register uint64_t rax asm("rax") = v[0], rdx asm("rdx") = v[1], rbx asm("rbx") = v[2];
        register uint64_t rsi asm("rsi") = v[3], rdi asm("rdi") = v[4], r8 asm("r8") = v[5];
        register uint64_t r9 asm("r9") = v[6], r10 asm("r10") = v[7], r11 asm("r11") = v[8];
        register uint64_t rcx asm("rcx") = v[9];
        register uint64_t *r12 asm("r12") = buffer;
        uint64_t flags;
        __asm__ volatile("call *%[fn]\n pushfq\n pop %[flags]"
                         : "+r"(rax), "+r"(rdx), "+r"(rbx), "+r"(rsi), "+r"(rdi), "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r11),
                           "+r"(rcx), [flags] "=&m"(flags)
                         : [fn] "r"(code), "r"(r12) : "cc", "memory");
        uint64_t out[11] = { rax, rdx, rbx, rsi, rdi, r8, r9, r10, r11, rcx, flags & 0x8c5 };
        uint64_t h = fnv(buffer, sizeof buffer, fnv(out, sizeof out, 1469598103934665603u));
        all = fnv(&h, 8, all);
        printf("loop %3d: %016llx passes left %llu\n", loop, (unsigned long long)h, (unsigned long long)rcx);
    }
    printf("all: %016llx\n", (unsigned long long)all);
    return 0;
}
