/* Memory management: mmap (anonymous, file, fixed), mprotect, mremap growth and moves, brk/sbrk, munmap, madvise. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/mman.h>

int main(void)
{
    long page = sysconf(_SC_PAGESIZE);
    char *a = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED) { perror("mmap"); return 1; }
    for (long i = 0; i < 4 * page; i++) a[i] = (char)(i * 7);
    printf("anon sum=%ld\n", (long)a[5] + a[page + 3] + a[3 * page + 9]);
    printf("mprotect=%d\n", mprotect(a + page, page, PROT_READ));
    /* mremap needs one mapping: restoring the protection merges the pieces again. */
    printf("unprotect=%d\n", mprotect(a + page, page, PROT_READ | PROT_WRITE));
    char *b = mremap(a, 4 * page, 64 * page, MREMAP_MAYMOVE);
    printf("mremap ok=%d kept=%d\n", b != MAP_FAILED, b != MAP_FAILED && b[3 * page + 9] == (char)((3 * page + 9) * 7));
    b[63 * page] = 'z';
    printf("shrink=%d\n", mremap(b, 64 * page, 2 * page, 0) == b);
    printf("munmap=%d\n", munmap(b, 2 * page));

    void *start = sbrk(0);
    char *grown = sbrk(10 * page);
    memset(grown, 1, 10 * page);
    printf("brk grown=%d back=%d\n", grown == start, brk(start) == 0 && sbrk(0) == start);

    char path[] = "/tmp/useremu-mmap-XXXXXX";
    int fd = mkstemp(path);
    for (int i = 0; i < 1000; i++) dprintf(fd, "line %04d\n", i);
    char *f = mmap(NULL, 10000, PROT_READ, MAP_SHARED, fd, 0);
    printf("file map: %.10s|%.10s\n", f, f + 9990);
    char *w = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    memcpy(w, "LINE", 4);
    msync(w, page, MS_SYNC);
    char back[5] = {0};
    pread(fd, back, 4, 0);
    printf("shared write seen=%s\n", back);
    char *fixed = mmap(f, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("fixed=%d zero=%d\n", fixed == f, fixed[100] == 0);
    printf("madvise=%d\n", madvise(w, page, MADV_DONTNEED));
    unlink(path);
    printf("big=%d\n", mmap(NULL, 1UL << 42, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) != MAP_FAILED);
    return 0;
}
