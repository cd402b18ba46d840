/* System V shared memory under fork, fixed and chosen addresses, SHM_RDONLY, shmdt, IPC_RMID and /proc/self/maps. */
#include "sysv_ipc.h"
#include <sys/mman.h>
#include <sys/shm.h>

static void maps_line(const char *label, void *addr, int id)
{
    char want[32], line[512];
    snprintf(want, sizeof want, "%lx-", (unsigned long)addr);
    FILE *f = fopen("/proc/self/maps", "r");
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, want, strlen(want)) != 0) continue;
        unsigned long s, e, off, ino;
        char perms[8], dev[16], name[256] = "";
        int n = 0;
        sscanf(line, "%lx-%lx %7s %lx %15s %lu%n", &s, &e, perms, &off, dev, &ino, &n);
        const char *rest = line + n;
        int pad = 0;
        while (*rest == ' ') { rest++; pad++; }
        sscanf(rest, "%255[^\n]", name);
        printf("%s: len=%lu %s off=%lx dev=%s inode=%s name=%s col=%d\n", label, e - s, perms, off, dev,
               ino == (unsigned long)id ? "shmid" : "other", name, (int)(rest - line));
        found = 1;
    }
    if (!found) printf("%s: not mapped\n", label);
    fclose(f);
}

static void stat_line(const char *label, int id)
{
    struct shmid_ds ds;
    if (shmctl(id, IPC_STAT, &ds) != 0) { printf("%s: %s\n", label, errname(errno)); return; }
    printf("%s: segsz=%zu nattch=%lu mode=%o dest=%d key=%s\n", label, ds.shm_segsz, (unsigned long)ds.shm_nattch,
           ds.shm_perm.mode & 0777, (ds.shm_perm.mode & SHM_DEST) != 0, ds.shm_perm.__key == IPC_PRIVATE ? "private" : "set");
}

/* A free, page-aligned guest range of n pages (mapped and unmapped again). */
static char *free_range(size_t n)
{
    char *p = mmap(NULL, n * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(p, n * 4096);
    return p;
}

/* The image an exec started: the attachments of the old one are gone. */
static int after_exec(int id)
{
    stat_line("after exec", id);
    char line[512];
    int sysv = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    while (fgets(line, sizeof line, f)) if (strstr(line, "/SYSV")) sysv++;
    fclose(f);
    printf("SysV mappings after exec: %d\n", sysv);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc == 3 && strcmp(argv[1], "after-exec") == 0) return after_exec(atoi(argv[2]));
    int id = shmget(IPC_PRIVATE, 10000, IPC_CREAT | 0600);
    printf("shmget: %s\n", id >= 0 ? "ok" : errname(errno));
    stat_line("created", id);

    char *p = shmat(id, NULL, 0);
    printf("shmat NULL: %s aligned=%d\n", p == (void *)-1 ? errname(errno) : "ok", ((unsigned long)p & 4095) == 0);
    maps_line("maps", p, id);
    stat_line("attached", id);
    strcpy(p, "parent wrote");
    strcpy(p + 9000, "tail");

    /* The child shares the attachment; its writes show in the parent, and its exit detaches its copy. */
    pid_t c = fork();
    if (c == 0) {
        stat_line("child sees", id);
        printf("child reads: %s / %s\n", p, p + 9000);
        strcpy(p, "child wrote");
        _exit(0);
    }
    report_child("writer child", c);
    printf("parent reads: %s\n", p);
    stat_line("after child exit", id);

    /* A fixed address, an overlap without and with SHM_REMAP, SHM_RND. */
    char *at = free_range(4);
    char *q = shmat(id, at, 0);
    printf("shmat fixed: %s same=%d sees=%s\n", q == (void *)-1 ? errname(errno) : "ok", q == at, q == at ? q : "-");
    CHECK("shmat overlap", shmat(id, at + 4096, 0));
    char *r = shmat(id, at, SHM_REMAP);
    printf("shmat remap: %s same=%d\n", r == (void *)-1 ? errname(errno) : "ok", r == at);
    stat_line("after remap", id);
    CHECK("shmat remap NULL", shmat(id, NULL, SHM_REMAP));
    CHECK("shmdt fixed", shmdt(at));
    CHECK("shmat unaligned", shmat(id, at + 100, 0));
    char *rnd = shmat(id, at + 100, SHM_RND);
    printf("shmat rnd: %s rounded=%d\n", rnd == (void *)-1 ? errname(errno) : "ok", rnd == at);
    CHECK("shmdt middle", shmdt(at + 4096));
    CHECK("shmdt rnd", shmdt(at));
    CHECK("shmdt again", shmdt(at));
    maps_line("after shmdt", at, id);

    /* Detaching finds every piece an mprotect split off. */
    char *s = shmat(id, NULL, 0);
    CHECK("mprotect middle", mprotect(s + 4096, 4096, PROT_READ));
    maps_line("split first", s, id);
    maps_line("split middle", s + 4096, id);
    maps_line("split last", s + 8192, id);
    CHECK("shmdt split", shmdt(s));
    maps_line("split first after", s, id);
    maps_line("split middle after", s + 4096, id);
    maps_line("split last after", s + 8192, id);

    /* SHM_RDONLY: reads see the data, a write is SIGSEGV, mprotect cannot add write. */
    char *ro = shmat(id, NULL, SHM_RDONLY);
    printf("shmat rdonly: %s reads=%s\n", ro == (void *)-1 ? errname(errno) : "ok", ro);
    maps_line("rdonly maps", ro, id);
    CHECK("mprotect rdonly to rw", mprotect(ro, 4096, PROT_READ | PROT_WRITE));
    c = fork();
    if (c == 0) { ro[0] = 'x'; _exit(0); }
    report_child("rdonly writer", c);
    CHECK("shmdt rdonly", shmdt(ro));
    c = fork();
    if (c == 0) { volatile char v = ro[0]; (void)v; _exit(0); }
    report_child("reader after shmdt", c);

    /* SHM_EXEC: code in the segment runs only from an attachment that allows it. */
    static const unsigned char ret42[] = { 0xb8, 42, 0, 0, 0, 0xc3 }; /* mov eax, 42; ret */
    memcpy(p + 4096, ret42, sizeof ret42);
    char *x = shmat(id, NULL, SHM_EXEC);
    maps_line("exec maps", x, id);
    printf("SHM_EXEC call: %d\n", ((int (*)(void))(x + 4096))());
    CHECK("shmdt exec", shmdt(x));
    c = fork();
    if (c == 0) { ((int (*)(void))(p + 4096))(); _exit(0); }
    report_child("call without SHM_EXEC", c);

    /* IPC_RMID while attached: the segment lives on, marked for destruction, until the last detach. */
    CHECK("IPC_RMID attached", shmctl(id, IPC_RMID, NULL));
    stat_line("removed", id);
    strcpy(p, "still here");
    printf("removed reads: %s\n", p);
    maps_line("removed maps", p, id);
    CHECK("shmdt last", shmdt(p));
    stat_line("after last shmdt", id);

    /* Errors. */
    key_t key = private_key(1);
    CHECK("shmget missing key", shmget(key, 4096, 0600));
    int kid = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
    printf("shmget key: %s\n", kid >= 0 ? "ok" : errname(errno));
    CHECK("shmget excl again", shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600));
    CHECK("shmget larger", shmget(key, 8192, 0600));
    CHECK("shmget size 0 new", shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600));
    CHECK("shmctl bad id", shmctl(-1, IPC_STAT, &(struct shmid_ds){0}));
    CHECK("shmctl bad cmd", shmctl(kid, 12345, NULL));
    CHECK("shmctl bad buffer", shmctl(kid, IPC_STAT, (struct shmid_ds *)16));
    CHECK("shmat bad id", shmat(-1, NULL, 0));
    CHECK("shmdt never attached", shmdt(free_range(1)));
    struct shminfo info;
    int hi = shmctl(0, IPC_INFO, (struct shmid_ds *)&info);
    printf("IPC_INFO: %s shmmni=%lu\n", hi >= 0 ? "ok" : errname(errno), info.shmmni);
    c = fork();
    if (c == 0) {
        printf("setuid nobody: %s\n", setuid(65534) == 0 ? "ok" : errname(errno));
        CHECK("shmat without permission", shmat(kid, NULL, 0));
        CHECK("IPC_STAT without permission", shmctl(kid, IPC_STAT, &(struct shmid_ds){0}));
        _exit(0);
    }
    report_child("unprivileged child", c);
    char *k = shmat(kid, NULL, 0), want[64], line[512];
    snprintf(want, sizeof want, "/SYSV%08x (deleted)", (unsigned)key);
    int named = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    while (fgets(line, sizeof line, f)) if (strstr(line, want)) named++;
    fclose(f);
    printf("keyed segment named by its key: %d\n", named);
    CHECK("shmdt keyed", shmdt(k));
    c = fork();
    if (c == 0) {
        shmat(kid, NULL, 0);
        stat_line("before exec", kid);
        char arg[16];
        snprintf(arg, sizeof arg, "%d", kid);
        execl("/proc/self/exe", argv[0], "after-exec", arg, (char *)NULL);
        _exit(127);
    }
    report_child("exec child", c);
    CHECK("IPC_RMID key", shmctl(kid, IPC_RMID, NULL));
    return 0;
}
