/* libc string and memory functions (the ones glibc dispatches to SSE2/AVX2 variants) and qsort. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void)
{
    enum { N = 3000 };
    static char buf[N][24];
    static char *ptrs[N];
    unsigned x = 12345;
    for (int i = 0; i < N; i++) {
        int len = 1 + (x >> 8) % 20;
        for (int j = 0; j < len; j++) { x = x * 1103515245 + 12345; buf[i][j] = 'a' + (x >> 16) % 26; }
        buf[i][len] = 0;
        ptrs[i] = buf[i];
    }
    qsort(ptrs, N, sizeof ptrs[0], cmp);
    unsigned long h = 0;
    for (int i = 0; i < N; i++) for (const char *p = ptrs[i]; *p; p++) h = h * 31 + (unsigned char)*p;
    printf("first=%s last=%s hash=%lu\n", ptrs[0], ptrs[N - 1], h);

    char big[5000], copy[5000];
    for (int i = 0; i < (int)sizeof big; i++) big[i] = 'A' + i % 50;
    big[sizeof big - 1] = 0;
    for (int off = 0; off < 33; off++) {
        memcpy(copy + off, big + (off * 7) % 13, 3000 - off);
        copy[3000] = 0;
        printf("%d:%zu:%d:%d ", off, strlen(copy + off), memcmp(copy + off, big + (off * 7) % 13, 2000 - off) == 0,
               (int)(strchr(copy + off, 'Z') - (copy + off)));
    }
    printf("\n");
    memmove(big + 3, big, 100);
    memset(big + 200, 'x', 77);
    printf("%.120s\n", big);
    printf("strstr=%td strrchr=%td strspn=%zu strcspn=%zu\n", strstr(big, "xxxx") - big, strrchr(big, 'A') - big,
           strspn(big, "ABCDEFGH"), strcspn(big, "xyz"));
    char tok[] = "alpha, beta;gamma  delta";
    for (char *save, *t = strtok_r(tok, ",; ", &save); t; t = strtok_r(NULL, ",; ", &save)) printf("[%s]", t);
    printf("\n");
    char out[64];
    int n = snprintf(out, sizeof out, "%-8s|%08x|%+5d|%c|%5.2s|%lld", "ab", 0xbeef, 42, 'q', "xyz", -1234567890123LL);
    printf("%d %s\n", n, out);
    for (const char *p = "MiXeD 123 case!"; *p; p++) putchar(isalpha((unsigned char)*p) ? toupper((unsigned char)*p) ^ 0x20 : *p);
    printf("\nstrtol=%ld strtoul=%lu\n", strtol("-0x7f", NULL, 16), strtoul("777", NULL, 8));
    return 0;
}
