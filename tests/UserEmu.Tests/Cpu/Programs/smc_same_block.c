/* Stores into the code of the block that is running, which the CPU sees at once: the next instruction's immediate,
   an instruction further on, a store into the storing instruction's own bytes (run once, not again and again), and a
   read-modify-write of the code after it. Each shape runs from fresh copies of its bytes, 3000 times, so that its block is native code by the end;
   what it returns is printed, so the native run is the oracle. */
#include <stdio.h>
#include "code_copies.h"

int main(void)
{
    /* xor eax, eax; mov byte [rip+2], 5 (the imm8 of the add after it); add eax, 1; ret -> 5 */
    static const unsigned char next[] = {
        0x31, 0xc0, 0xc6, 0x05, 0x02, 0x00, 0x00, 0x00, 0x05, 0x83, 0xc0, 0x01, 0xc3,
    };
    /* xor eax, eax; mov byte [rip+8], 7 (the imm8 of the third add after it); add eax, 1; add eax, 2; add eax, 3; ret
       -> 1 + 2 + 7 */
    static const unsigned char further[] = {
        0x31, 0xc0, 0xc6, 0x05, 0x08, 0x00, 0x00, 0x00, 0x07, 0x83, 0xc0, 0x01, 0x83, 0xc0, 0x02, 0x83, 0xc0, 0x03, 0xc3,
    };
    /* mov eax, 10; mov byte [rip-1], 9 (its own imm8, the same value); add eax, 1; ret -> 11 */
    static const unsigned char itself[] = {
        0xb8, 0x0a, 0x00, 0x00, 0x00, 0xc6, 0x05, 0xff, 0xff, 0xff, 0xff, 0x09, 0x83, 0xc0, 0x01, 0xc3,
    };
    /* xor eax, eax; add byte [rip+2], 4 (the imm8 of the add after it, read and written); add eax, 1; ret -> 5 */
    static const unsigned char rmw[] = {
        0x31, 0xc0, 0x80, 0x05, 0x02, 0x00, 0x00, 0x00, 0x04, 0x83, 0xc0, 0x01, 0xc3,
    };
    printf("next: %lu\n", run_copies(next, sizeof next, 3000));
    printf("further: %lu\n", run_copies(further, sizeof further, 3000));
    printf("own bytes: %lu\n", run_copies(itself, sizeof itself, 3000));
    printf("read-modify-write: %lu\n", run_copies(rmw, sizeof rmw, 3000));
    return 0;
}
