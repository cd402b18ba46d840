/* Arguments, environment and exit status: the smallest libc program worth comparing. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    const char *v = getenv("USEREMU_SAMPLE");
    printf("USEREMU_SAMPLE=%s\n", v ? v : "(unset)");
    fprintf(stderr, "to stderr\n");
    return argc > 1 ? atoi(argv[argc - 1]) & 0xff : 0;
}
