/* Recursion without end: the stack grows to RLIMIT_STACK and the process dies of SIGSEGV, as natively. */
#include <stdio.h>

static int depth(volatile char *prev)
{
    volatile char frame[1024];
    frame[0] = prev ? prev[0] + 1 : 0;
    return depth(frame) + frame[1];
}

int main(void)
{
    printf("recursing\n");
    fflush(stdout);
    return depth(0);
}
