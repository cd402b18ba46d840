/* Floating point: arithmetic, conversions, printf/strtod round trips, libm, long double. */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <float.h>

int main(int argc, char **argv)
{
    volatile double a = 1.0 / 3.0, b = argc * 2.5e-3;
    printf("%.17g %.17g %.17g %.17g\n", a + b, a - b, a * b, a / b);
    printf("%f %e %g %a\n", M_PI, 6.02214076e23, 1e-310, 0.1);
    printf("%.3f %.0f %.0f %g %g %g\n", 2.0005, 0.5, 1.5, INFINITY, -NAN, -0.0);
    printf("sqrt=%.17g sin=%.17g cos=%.17g exp=%.17g log=%.17g pow=%.17g atan2=%.17g\n",
           sqrt(2.0), sin(1.0), cos(1.0), exp(1.0), log(10.0), pow(2.0, 0.5), atan2(1.0, -1.0));
    printf("floor=%g ceil=%g round=%g trunc=%g fmod=%g rint=%g\n", floor(-2.5), ceil(-2.5), round(-2.5), trunc(-2.5), fmod(7.5, 2.0), rint(2.5));
    float f = (float)a;
    printf("float %.9g %.9g %d %ld %u\n", f, f * 3.0f, (int)(a * 1e9), lround(-2.5), (unsigned)(b * 1e6));
    double s = 0;
    for (int i = 1; i <= 100000; i++) s += 1.0 / ((double)i * i);
    printf("zeta2=%.15f\n", s);
    const char *in[] = { "3.14159", "1e308", "1e-320", "-0x1.8p3", "nan", "inf", "123456789012345678901234567890" };
    for (int i = 0; i < 7; i++) printf("strtod(%s)=%.17g\n", in[i], strtod(in[i], NULL));
    long double l = 1.0L / 3.0L;
    printf("long double %.20Lg %Lf %La\n", l, l * 3, l);
    printf("limits %g %g %d %d\n", DBL_MAX, DBL_MIN, DBL_MANT_DIG, LDBL_MANT_DIG);
    long long big = 9007199254740993LL;
    printf("conv %.17g %lld %llu\n", (double)big, (long long)1e18, (unsigned long long)1.8e19);
    return 0;
}
