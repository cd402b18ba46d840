/* Every condition code read in the same block as an instruction that sets all arithmetic flags at once
 * (ucomisd, comiss, sahf, bt, stc/cmc, popf), through setcc, jcc and cmovcc, over many operands: the loops
 * run hot, so their blocks go from the interpreter to native code. Prints a checksum per source of flags,
 * compared with the native run. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* All 16 conditions of the flags an instruction left, one bit each: setcc, movzx and lea leave the flags alone. */
#define SETCC_ALL \
    "seto %b[t]\n\tmovzbl %b[t], %k[t]\n\tlea (%q[t],%q[acc],2), %q[acc]\n\t" \
    "setno %b[t]\n\tmovzbl %b[t], %k[t]\n\tlea (%q[t],%q[acc],2), %q[acc]\n\t" \
    "setb %b[t]\n\tmovzbl %b[t], %k[t]\n\tlea (%q[t],%q[acc],2), %q[acc]\n\t" \
    "setae %b[t]\n\tmovzbl %b[t], %k[t]\n\tlea (%q[t],%q[acc],2), %q[acc]\n\t" \
    "sete %b[t]\n\tmovzbl %b[t], %k[t]\n\tlea (%q[t],%q[acc],2), %q[acc]\n\t" \
    "setne %b[t]\n\tmovzbl %b[t], %k[t]\n\tlea (%q[t],%q[acc],2), %q[acc]\n\t" \
    "setbe %b[t]\n\tmovzbl %b[t], %k[t]\n\tlea (%q[t],%q[acc],2), %q[acc]\n\t" \
    "seta %b[t]\n\tmovzbl %b[t], %k[t]\n\tlea (%q[t],%q[acc],2), %q[acc]\n\t" \
    "sets %b[t]\n\tmovzbl %b[t], %k[t]\n\tlea (%q[t],%q[acc],2), %q[acc]\n\t" \
    "setns %b[t]\n\tmovzbl %b[t], %k[t]\n\tlea (%q[t],%q[acc],2), %q[acc]\n\t" \
    "setp %b[t]\n\tmovzbl %b[t], %k[t]\n\tlea (%q[t],%q[acc],2), %q[acc]\n\t" \
    "setnp %b[t]\n\tmovzbl %b[t], %k[t]\n\tlea (%q[t],%q[acc],2), %q[acc]\n\t" \
    "setl %b[t]\n\tmovzbl %b[t], %k[t]\n\tlea (%q[t],%q[acc],2), %q[acc]\n\t" \
    "setge %b[t]\n\tmovzbl %b[t], %k[t]\n\tlea (%q[t],%q[acc],2), %q[acc]\n\t" \
    "setle %b[t]\n\tmovzbl %b[t], %k[t]\n\tlea (%q[t],%q[acc],2), %q[acc]\n\t" \
    "setg %b[t]\n\tmovzbl %b[t], %k[t]\n\tlea (%q[t],%q[acc],2), %q[acc]\n\t"

#define OUTS [acc] "+&r"(acc), [t] "=&q"(t)

static uint32_t after_ucomisd(double a, double b)
{
    uint64_t acc = 0, t;
    __asm__ volatile("ucomisd %[b], %[a]\n\t" SETCC_ALL : OUTS : [a] "x"(a), [b] "x"(b) : "cc");
    return (uint32_t)acc;
}

static uint32_t after_comiss(float a, float b)
{
    uint64_t acc = 0, t;
    __asm__ volatile("comiss %[b], %[a]\n\t" SETCC_ALL : OUTS : [a] "x"(a), [b] "x"(b) : "cc");
    return (uint32_t)acc;
}

/* sahf takes SF, ZF, AF, PF and CF from ah; OF stays what the add before it left. */
static uint32_t after_sahf(uint8_t ah, uint64_t x, uint64_t y)
{
    uint64_t acc = 0, t, ax = (uint64_t)ah << 8;
    __asm__ volatile("add %[y], %[x]\n\tsahf\n\t" SETCC_ALL : OUTS, [x] "+&r"(x) : [ax] "a"(ax), [y] "r"(y) : "cc");
    return (uint32_t)acc;
}

static uint32_t after_bt(uint64_t v, uint64_t bit, uint64_t x, uint64_t y)
{
    uint64_t acc = 0, t;
    __asm__ volatile("sub %[y], %[x]\n\tbt %[bit], %[v]\n\t" SETCC_ALL : OUTS, [x] "+&r"(x) : [y] "r"(y), [bit] "r"(bit), [v] "r"(v) : "cc");
    return (uint32_t)acc;
}

static uint32_t after_stc_cmc(uint64_t x, uint64_t y, int complement)
{
    uint64_t acc = 0, t;
    if (complement)
        __asm__ volatile("cmp %[y], %[x]\n\tcmc\n\t" SETCC_ALL : OUTS : [x] "r"(x), [y] "r"(y) : "cc");
    else
        __asm__ volatile("cmp %[y], %[x]\n\tstc\n\t" SETCC_ALL : OUTS : [x] "r"(x), [y] "r"(y) : "cc");
    return (uint32_t)acc;
}

static uint32_t after_popf(uint64_t flags)
{
    uint64_t acc = 0, t;
    __asm__ volatile("push %[f]\n\tpopf\n\t" SETCC_ALL : OUTS : [f] "r"(flags) : "cc");
    return (uint32_t)acc;
}

/* A branch and a cmov on the flags of ucomisd, as compiled float code has them. */
static int branch_and_cmov(double a, double b)
{
    int taken = 0, moved = 0, one = 1;
    __asm__ volatile("ucomisd %3, %2\n\tjbe 1f\n\tmov $1, %0\n1:\n\tcmovp %4, %1"
                     : "+&r"(taken), "+&r"(moved) : "x"(a), "x"(b), "r"(one) : "cc");
    return taken * 2 + moved;
}

static uint64_t state = 0x9e3779b97f4a7c15u;
static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static double pick_double(void)
{
    static const double special[] = {0.0, -0.0, 1.0, -1.0, 1e308, -1e-308, __builtin_inf(), -__builtin_inf(), __builtin_nan("")};
    uint64_t n = next();
    if (n % 4 == 0) return special[(n >> 8) % (sizeof special / sizeof special[0])];
    return (double)(int64_t)(n >> 40) / 7.0;
}

int main(void)
{
    uint64_t sums[7] = {0};
    for (int round = 0; round < 20000; round++)
    {
        double a = pick_double(), b = round % 3 == 0 ? a : pick_double();
        sums[0] = sums[0] * 31 + after_ucomisd(a, b);
        sums[1] = sums[1] * 31 + after_comiss((float)a, (float)b);
        uint64_t x = next(), y = round % 5 == 0 ? (uint64_t)INT64_MAX : next();
        sums[2] = sums[2] * 31 + after_sahf((uint8_t)next(), x, y);
        sums[3] = sums[3] * 31 + after_bt(next(), next() % 64, x, y);
        sums[4] = sums[4] * 31 + after_stc_cmc(x, round % 7 == 0 ? x : y, round & 1);
        sums[5] = sums[5] * 31 + after_popf((next() & 0x8d5) | 2);
        sums[6] = sums[6] * 31 + branch_and_cmov(a, b);
    }
    const char *names[] = {"ucomisd", "comiss", "sahf", "bt", "stc/cmc", "popf", "jcc/cmov"};
    for (int k = 0; k < 7; k++) printf("%-8s %016llx\n", names[k], (unsigned long long)sums[k]);
    return 0;
}
