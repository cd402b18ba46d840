/* Hot stores (native code) into pages of translated code, which the emulator keeps read-only on the host while the
   process has one thread: each store must land and drop the old code, whichever way it reaches the page. A loop
   patches the immediate of `mov eax, imm32; ret` and calls it; data next to the code is counted up; the code page is
   moved with mremap and written at its new place; then a second thread starts and the loop runs again (the emulator
   stops write-protecting code there). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef unsigned (*fn)(void);

static __attribute__((noinline)) void put_imm(volatile unsigned char *code, unsigned v)
{
    code[1] = (unsigned char)v; /* a byte store into the immediate */
}

static unsigned long long patch_and_call(unsigned char *code, int rounds)
{
    unsigned long long sum = 0;
    volatile unsigned long long *data = (volatile unsigned long long *)(code + 2048);
    for (int i = 0; i < rounds; i++) {
        code[5] = 0xc3; /* the ret again: a constant stored, the store that finds the page protected */
        put_imm(code, (unsigned)i);
        sum += ((fn)code)();
        *data += 1; /* a store to the same page that changes no code */
    }
    return sum + *data;
}

static void *idle(void *arg) { return arg; }

int main(void)
{
    unsigned char *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) { perror("mmap"); return 1; }
    unsigned char mov_ret[] = { 0xb8, 0, 0, 0, 0, 0xc3 };
    memcpy(code, mov_ret, sizeof mov_ret);
    printf("one thread: %llu\n", patch_and_call(code, 3000));

    /* Moved while it holds code: the new place must be writable (and the code there current). */
    unsigned char *moved = mremap(code, 4096, 8192, MREMAP_MAYMOVE);
    if (moved == MAP_FAILED) { perror("mremap"); return 1; }
    printf("after mremap: %llu\n", patch_and_call(moved, 3000));

    pthread_t t;
    if (pthread_create(&t, NULL, idle, NULL) != 0 || pthread_join(t, NULL) != 0) { puts("pthread failed"); return 1; }
    printf("after a thread: %llu\n", patch_and_call(moved, 3000));
    return 0;
}
