/* libc memory and string functions: memcpy, memset, strlen, strcmp, memchr over buffers of varying sizes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF 65536

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 1000000;
    char *src = malloc(BUF), *dst = malloc(BUF), *other = malloc(BUF);
    for (int i = 0; i < BUF; i++) src[i] = other[i] = 'a' + (i * 7 + i / 13) % 26;
    uint64_t sum = 0;
    uint32_t x = 12345;
    for (long r = 0; r < rounds; r++) {
        /* Sizes from 1 byte to 4 KiB and offsets that vary alignment, as real programs produce. */
        x = x * 1103515245 + 12345;
        size_t len = 1 + (x >> 8) % 4096;
        size_t off = (x >> 3) % 61;
        memcpy(dst + off, src + (r & 63), len);
        dst[off + len] = 0;
        sum += strlen(dst + off);
        other[off + len] = 0;
        sum += strcmp(dst + off, other + off + ((r & 1) ? 0 : 1)) > 0;
        other[off + len] = src[off + len];
        char *hit = memchr(dst + off, 'z', len);
        sum += hit ? (size_t)(hit - dst - off) : len;
        if ((r & 255) == 0) memset(dst, (int)(r & 127), BUF / 2);
    }
    printf("%ld rounds, checksum %llu\n", rounds, (unsigned long long)sum);
    return 0;
}
