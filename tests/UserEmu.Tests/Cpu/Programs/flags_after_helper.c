/* Conditions and pushf of flags set before pshufhw, which the emulator runs as a helper call of vector state only
 * (its frontend keeps knowing the flag-setting op), and lahf, which reads the flags whole and after which the frontend
 * no longer knows the op: native code then gets it as a constant forwarded from the state it stored
 * (NativeBlockCompiler.ConstantKindFlags). Several ops and sizes, random and edge operands, in a hot loop; shifts
 * by 1, whose OF is defined. */
#include <stdint.h>
#include <stdio.h>

static uint64_t seed = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void) { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return seed; }

/* %9 is a (read-write), %10 is b */
#define sub8 "subb %b10, %b9"
#define sub16 "subw %w10, %w9"
#define sub32 "subl %k10, %k9"
#define sub64 "subq %10, %9"
#define add32 "addl %k10, %k9"
#define add64 "addq %10, %9"
#define and32 "andl %k10, %k9"
#define and8 "andb %b10, %b9"
#define inc32 "incl %k9"
#define dec64 "decq %9"
#define sar32 "sarl $1, %k9"
#define shl64 "shlq $1, %9"

#define BODY(name, text)                                                                                        \
    static uint64_t name##_conds(uint64_t a, uint64_t b)                                                        \
    {                                                                                                           \
        uint64_t fl;                                                                                            \
        unsigned char c[8];                                                                                     \
        __asm__ volatile(text "\n\tpshufhw $0x1b, %%xmm1, %%xmm1\n\tlahf\n\t"                                \
                         "setb %0\n\tsete %1\n\tsets %2\n\tsetl %3\n\tsetle %4\n\tseto %5\n\tsetp %6\n\tsetbe %7\n\t" \
                         /* past the red zone, where the setcc bytes may be; lea leaves the flags */            \
                         "lea -128(%%rsp), %%rsp\n\tpushfq\n\tpopq %8\n\tlea 128(%%rsp), %%rsp"                \
                         : "=m"(c[0]), "=m"(c[1]), "=m"(c[2]), "=m"(c[3]), "=m"(c[4]), "=m"(c[5]), "=m"(c[6]),   \
                           "=m"(c[7]), "=r"(fl), "+r"(a)                                                        \
                         : "r"(b)                                                                               \
                         : "rax", "xmm1", "cc");                                                                \
        uint64_t out = 0;                                                                                       \
        for (int k = 0; k < 8; k++) out = out << 1 | c[k];                                                      \
        /* AF is undefined after a shift (and dropped for all: the shifts are the only ops whose AF differs). */    \
        return (out << 16 | (fl & 0x8c5)) ^ a * 3;                                                              \
    }

BODY(sub8, sub8) BODY(sub16, sub16) BODY(sub32, sub32) BODY(sub64, sub64) BODY(add32, add32) BODY(add64, add64)
BODY(and32, and32) BODY(and8, and8) BODY(inc32, inc32) BODY(dec64, dec64) BODY(sar32, sar32) BODY(shl64, shl64)

int main(void)
{
    static uint64_t (*const ops[])(uint64_t, uint64_t) = {
        sub8_conds, sub16_conds, sub32_conds, sub64_conds, add32_conds, add64_conds,
        and32_conds, and8_conds, inc32_conds, dec64_conds, sar32_conds, shl64_conds,
    };
    static const char *names[] = {"sub8", "sub16", "sub32", "sub64", "add32", "add64", "and32", "and8", "inc32", "dec64", "sar32", "shl64"};
    for (int o = 0; o < 12; o++)
    {
        uint64_t sum = 0;
        for (int n = 0; n < 20000; n++)
        {
            uint64_t a = next(), b = next();
            /* Small and equal operands too: zero, sign and carry edges. */
            if (n % 4 == 1) b = a;
            if (n % 4 == 2) { a &= 0xff; b &= 0xff; }
            if (n % 8 == 3) a = 0x80000000u, b = 1;
            sum = sum * 1000003 + ops[o](a, b);
        }
        printf("%s %016llx\n", names[o], (unsigned long long)sum);
    }
    return 0;
}
