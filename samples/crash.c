/* Dies the way its first argument says, so the emulator's death can be compared with the native one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "exit";
    printf("about to %s\n", how);
    fflush(stdout);
    if (!strcmp(how, "segv")) { volatile int *p = (int *)16; *p = 1; }
    if (!strcmp(how, "fpe")) { volatile int z = 0; printf("%d\n", 1 / z); }
    if (!strcmp(how, "abort")) abort();
    if (!strcmp(how, "ill")) __builtin_trap();
    if (!strcmp(how, "kill")) raise(SIGTERM);
    return 7;
}
