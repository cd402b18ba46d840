/* libc sorting and string compares: qsort of n pseudo-random strings with a strcmp comparator. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 0x9E3779B97F4A7C15ull;

static uint64_t next(void)
{
    state ^= state << 13; state ^= state >> 7; state ^= state << 17;
    return state;
}

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 300000;
    char **items = malloc(n * sizeof *items);
    for (long i = 0; i < n; i++) {
        /* A shared prefix on a quarter of the keys makes strcmp walk further than the first byte. */
        int len = 8 + next() % 24;
        char *s = malloc(len + 1);
        int prefix = (i & 3) == 0 ? 6 : 0;
        for (int k = 0; k < len; k++) s[k] = k < prefix ? 'p' : 'a' + next() % 26;
        s[len] = 0;
        items[i] = s;
    }
    qsort(items, n, sizeof *items, compare);
    uint64_t h = 1469598103934665603ull;
    for (long i = 0; i < n; i++)
        for (const char *p = items[i]; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    printf("%ld strings, first %s, last %s, fnv %016llx\n", n, items[0], items[n - 1], (unsigned long long)h);
    return 0;
}
