/* Sets RLIMIT_STACK, RLIMIT_DATA and RLIMIT_AS, then execs itself (argv[1] "again"): the kernel keeps resource limits
 * across an execve, so the new image reads back what was set. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void show(const char *round)
{
    static const struct { int resource; const char *name; } limits[] = {
        { RLIMIT_STACK, "stack" }, { RLIMIT_DATA, "data" }, { RLIMIT_AS, "as" } };
    for (int k = 0; k < 3; k++) {
        struct rlimit rl;
        getrlimit(limits[k].resource, &rl);
        printf("%s: %s %llx %llx\n", round, limits[k].name, (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        show(argv[1]);
        return 0;
    }
    struct rlimit stack = { 4 << 20, RLIM_INFINITY }, data = { 16ULL << 30, RLIM_INFINITY }, as = { 32ULL << 30, 64ULL << 30 };
    if (setrlimit(RLIMIT_STACK, &stack) || setrlimit(RLIMIT_DATA, &data) || setrlimit(RLIMIT_AS, &as)) {
        perror("setrlimit");
        return 1;
    }
    show("first");
    fflush(stdout);
    execl("/proc/self/exe", argv[0], "again", (char *)0);
    perror("execl");
    return 1;
}
