/* Hot generated code that is rewritten between runs: the emulator must drop every translation of it (interpreted,
   native and chained, compiled region) and run the new bytes. Three shapes: a function called through a pointer
   (indirect call and return), a function calling another with call rel32 (a direct exit into rewritten code, from a
   page that is not rewritten: its link to the old code must be undone), and a counted loop inside generated code (a
   block that jumps to itself). */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef unsigned (*fn)(void);

static void put_mov_ret(unsigned char *p, unsigned v)
{
    p[0] = 0xb8; memcpy(p + 1, &v, 4);   /* mov eax, v */
    p[5] = 0xc3;                         /* ret */
}

int main(void)
{
    unsigned char *code = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) { perror("mmap"); return 1; }
    unsigned char *caller = code, *leaf = code + 4096, *loop = code + 4096 + 128;
    /* caller: call leaf; add eax, 1; ret */
    int rel = (int)(leaf - (caller + 5));
    caller[0] = 0xe8; memcpy(caller + 1, &rel, 4);
    caller[5] = 0x83; caller[6] = 0xc0; caller[7] = 0x01;
    caller[8] = 0xc3;
    for (unsigned version = 1; version <= 4; version++) {
        put_mov_ret(leaf, version * 1000);
        /* loop: xor eax,eax; mov ecx,1000; L: add eax, version; dec ecx; jnz L; ret */
        unsigned char body[] = { 0x31, 0xc0, 0xb9, 0xe8, 0x03, 0x00, 0x00, 0x83, 0xc0, (unsigned char)version,
                                 0xff, 0xc9, 0x75, 0xf9, 0xc3 };
        memcpy(loop, body, sizeof body);
        unsigned long long direct = 0, indirect = 0, looped = 0;
        for (int i = 0; i < 300000; i++) {
            indirect += ((fn)leaf)();
            direct += ((fn)caller)();
        }
        for (int i = 0; i < 300; i++) looped += ((fn)loop)();
        printf("version %u: indirect %llu direct %llu loop %llu\n", version, indirect, direct, looped);
    }
    return 0;
}
