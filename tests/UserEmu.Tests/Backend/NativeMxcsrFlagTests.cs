using UserEmu.Tests.EndToEnd;
using UserEmu.Tests.TestSupport;
using Xunit;

namespace UserEmu.Tests.Backend;

/// <summary>MXCSR's exception flags after SSE arithmetic in native code, which raises them in the host's MXCSR and hands them on at each exit; and other rounding modes, which native code leaves to the interpreter.</summary>
public class NativeMxcsrFlagTests
{
    // Every operand pair, with NaN, infinities, denormals and zeros among them, through add/mul/div/sqrt/compare/min
    // and integer conversions, read back with fetestexcept (stmxcsr) after each; 300 rounds make the loops native. The
    // last part raises flags over many operations without clearing them, then reads them once.
    const string FlagsAfterEachOperation = """
        #include <fenv.h>
        #include <math.h>
        #include <stdio.h>
        static volatile double vals[] = {1.0, 3.0, 0.0, -1.0, 1e308, 1e-308, 4.9e-324, NAN, INFINITY, 2.0, 0.5, -0.0};
        static volatile float fvals[] = {1.0f, 3.0f, 0.0f, -1.0f, 3e38f, 1e-38f, 1e-45f, NAN, INFINITY, 2.0f};
        #define N (sizeof vals / sizeof vals[0])
        #define NF (sizeof fvals / sizeof fvals[0])
        static int flags(void) { int f = fetestexcept(FE_ALL_EXCEPT); feclearexcept(FE_ALL_EXCEPT); return f; }
        int main(void) {
            unsigned long sum = 0;
            for (int rep = 0; rep < 300; rep++) {
                for (unsigned i = 0; i < N; i++) for (unsigned j = 0; j < N; j++) {
                    double a = vals[i], b = vals[j];
                    feclearexcept(FE_ALL_EXCEPT);
                    volatile double r = a + b; int f1 = flags();
                    r = a * b; int f2 = flags();
                    r = a / b; int f3 = flags();
                    r = sqrt(b); int f4 = flags();
                    int c = a < b; int f5 = flags();
                    r = fmin(a, b) + (double)(long)(a * 1e3); int f6 = flags();
                    r = (double)(long long)(i * 0x7fffffffffffULL + j * 12345678901234567ULL); int f7 = flags();
                    if (rep == 0) printf("%u %u: %x %x %x %x %x %x %x %d\n", i, j, f1, f2, f3, f4, f5, f6, f7, c);
                    sum += f1 + f2 * 3 + f3 * 7 + f4 * 11 + f5 * 13 + f6 * 17 + f7 * 19;
                }
                for (unsigned i = 0; i < NF; i++) for (unsigned j = 0; j < NF; j++) {
                    float a = fvals[i], b = fvals[j];
                    feclearexcept(FE_ALL_EXCEPT);
                    volatile float r = a + b; r = a * b; r = a / b; r = sqrtf(b); r = (float)(i * 100000001u);
                    int f = flags();
                    if (rep == 0) printf("f %u %u: %x\n", i, j, f);
                    sum += f;
                }
                feclearexcept(FE_ALL_EXCEPT);
                volatile double acc = 1;
                for (int k = 0; k < 100; k++) acc = acc * 1.5;
                int fa = flags();
                acc = acc / 0.0;
                int fb = flags();
                if (rep == 0) printf("acc %x %x\n", fa, fb);
                sum += fa + fb;
                // Another rounding mode: the blocks leave native code for the interpreter.
                static const int modes[] = {FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO, FE_TONEAREST};
                fesetround(modes[rep % 4]);
                volatile double third = 1.0 / 3, big = (double)(long long)(rep * 0x1234567890123ULL + 1);
                volatile float fthird = 1.0f / 3, fsq = sqrtf(2.0f + rep);
                unsigned long long bits[4];
                double t = third * 3, s = big / 7;
                float u = fthird * 3;
                __builtin_memcpy(&bits[0], &t, 8); __builtin_memcpy(&bits[1], &s, 8);
                unsigned ub, qb; float q = fsq; __builtin_memcpy(&ub, &u, 4); __builtin_memcpy(&qb, &q, 4);
                fesetround(FE_TONEAREST);
                if (rep < 8) printf("round %d: %llx %llx %x %x\n", rep % 4, bits[0], bits[1], ub, qb);
                sum += bits[0] ^ bits[1] ^ ub ^ qb;
            }
            printf("sum %lu\n", sum);
            return 0;
        }
        """;

    [Fact]
    public void FlagsRaisedInNativeCodeAreTheCpus()
    {
        string exe = GuestCompiler.Build(FlagsAfterEachOperation, BuildFlavor.GlibcStatic, "-O2");
        NativeOracle.AssertSameAsNative(exe, []);
    }
}
