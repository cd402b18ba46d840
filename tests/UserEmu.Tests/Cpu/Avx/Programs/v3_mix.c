// Built with -O3 -march=x86-64-v3: vectorised loops (AVX2), contracted a*b+c (FMA), float<->half (F16C), and
// glibc's string functions, whose ifuncs pick their AVX2/EVEX-free variants from CPUID.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define N 4099

static float xf[N], yf[N], zf[N];
static double xd[N], yd[N];
static int32_t xi[N], yi[N];
static uint8_t bytes[N];

__attribute__((noinline)) static void saxpy(float a, const float *x, float *y, int n) { for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i]; }
__attribute__((noinline)) static double dot(const double *a, const double *b, int n) { double s = 0; for (int i = 0; i < n; i++) s += a[i] * b[i]; return s; }
__attribute__((noinline)) static void imix(int32_t *a, const int32_t *b, int n) { for (int i = 0; i < n; i++) a[i] = (a[i] * 7 + (b[i] >> 3)) ^ (b[i] << (i & 7)); }
__attribute__((noinline)) static void clampb(uint8_t *p, int n) { for (int i = 0; i < n; i++) p[i] = p[i] > 200 ? 200 : p[i] < 17 ? 17 : p[i]; }
__attribute__((noinline)) static void gather(float *out, const float *in, const int32_t *idx, int n) { for (int i = 0; i < n; i++) out[i] = in[idx[i] % N]; }
__attribute__((noinline)) static void halves(float *p, int n) { for (int i = 0; i < n; i++) p[i] = (float)(_Float16)p[i]; }

static uint64_t hash(const void *p, size_t n) { const uint8_t *b = p; uint64_t h = 1469598103934665603ull; while (n--) { h ^= *b++; h *= 1099511628211ull; } return h; }
static int cmp(const void *a, const void *b) { float x = *(const float *)a, y = *(const float *)b; return (x > y) - (x < y); }

int main(void)
{
    uint32_t s = 12345;
    for (int i = 0; i < N; i++)
    {
        s = s * 1103515245 + 12345;
        xf[i] = (float)(s >> 8) / 65536.0f - 100.0f; yf[i] = sinf(i * 0.01f); xd[i] = cos(i * 0.37); yd[i] = (double)(s % 1000) / 7.0;
        xi[i] = (int32_t)s; yi[i] = (int32_t)(s * 2654435761u); bytes[i] = (uint8_t)(s >> 13);
    }
    saxpy(1.75f, xf, yf, N);
    printf("saxpy %016llx\n", (unsigned long long)hash(yf, sizeof yf));
    printf("dot %.17g\n", dot(xd, yd, N));
    imix(xi, yi, N);
    printf("imix %016llx\n", (unsigned long long)hash(xi, sizeof xi));
    clampb(bytes, N);
    printf("clamp %016llx\n", (unsigned long long)hash(bytes, sizeof bytes));
    gather(zf, xf, yi, N);
    printf("gather %016llx\n", (unsigned long long)hash(zf, sizeof zf));
    halves(zf, N);
    printf("halves %016llx\n", (unsigned long long)hash(zf, sizeof zf));
    double m = 0;
    for (int i = 0; i < N; i++) m = fma(xd[i], yd[i], m) + sqrt(fabs(xd[i])) + exp(xd[i] * 0.5) + log1p(fabs(yd[i]));
    printf("libm %.17g %.9g %.17g\n", m, powf(1.0001f, 777.5f), atan2(xd[5], yd[9]));
    qsort(xf, N, sizeof(float), cmp);
    printf("qsort %016llx\n", (unsigned long long)hash(xf, sizeof xf));

    // String functions at every alignment and length around the vector widths.
    char *buf = malloc(4096), *buf2 = malloc(4096);
    uint64_t h = 0;
    for (int align = 0; align < 64; align += 7)
        for (int len = 0; len < 300; len += 13)
        {
            char *p = buf + align, *q = buf2 + (align * 3 % 64);
            memset(p, 'a' + len % 26, len);
            p[len] = 0;
            if (len > 5) p[len / 2] = 'Z';
            h = h * 31 + strlen(p);
            h = h * 31 + (strchr(p, 'Z') ? (uint64_t)(strchr(p, 'Z') - p) : 999);
            h = h * 31 + (memchr(p, 'Z', len) ? 1 : 0);
            h = h * 31 + (strrchr(p, 'a' + len % 26) ? (uint64_t)(strrchr(p, 'a' + len % 26) - p) : 999);
            strcpy(q, p);
            h = h * 31 + (uint64_t)(strcmp(p, q) + 5);
            if (len > 3) q[len - 2] = 'A';
            h = h * 31 + (uint64_t)(strcmp(p, q) > 0) + (uint64_t)(memcmp(p, q, len) > 0) * 2 + (uint64_t)(strncmp(p, q, len / 2) == 0) * 4;
            memmove(q + 1, q, len);
            h = h * 31 + hash(q, len + 1);
            h = h * 31 + strnlen(p, len / 3) + (uint64_t)(stpcpy(q, p) - q);
            h = h * 31 + strspn(p, "abcdefghijklmnopqrstuvwxyz") + strcspn(p, "Z");
            h = h * 31 + (strstr(p, "aZa") ? 1 : 0) + (uint64_t)(strcasecmp(p, q) != 0);
        }
    printf("strings %016llx\n", (unsigned long long)h);
    return 0;
}
