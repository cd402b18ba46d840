/* Files and directories: create, write, seek, read back, stat, list, rename, unlink. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv)
{
    if (argc < 2) { fprintf(stderr, "usage: fileio DIR\n"); return 2; }
    if (chdir(argv[1]) != 0) { perror("chdir"); return 1; }
    mkdir("sub", 0755);
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof name, "sub/file%d.txt", i);
        FILE *f = fopen(name, "w");
        for (int j = 0; j <= i * 100; j++) fprintf(f, "line %d of %d\n", j, i);
        fclose(f);
    }
    int fd = open("sub/file3.txt", O_RDWR);
    char buf[64];
    lseek(fd, 100, SEEK_SET);
    ssize_t n = read(fd, buf, 20);
    printf("read %zd: %.20s\n", n, buf);
    lseek(fd, 0, SEEK_END);
    write(fd, "appended\n", 9);
    struct stat st;
    fstat(fd, &st);
    printf("size=%lld regular=%d\n", (long long)st.st_size, S_ISREG(st.st_mode));
    close(fd);
    DIR *d = opendir("sub");
    char *names[16];
    int count = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (e->d_name[0] != '.') names[count++] = strdup(e->d_name);
    closedir(d);
    qsort(names, count, sizeof names[0], cmp);
    for (int i = 0; i < count; i++) { stat(names[i], &st); printf("%s ", names[i]); }
    printf("\n");
    rename("sub/file0.txt", "sub/renamed.txt");
    printf("old=%d new=%d\n", access("sub/file0.txt", F_OK), access("sub/renamed.txt", R_OK));
    errno = 0;
    if (open("sub/missing", O_RDONLY) < 0) printf("missing: %s\n", strerror(errno));
    FILE *f = fopen("sub/file4.txt", "r");
    long lines = 0;
    for (int c; (c = fgetc(f)) != EOF;) lines += c == '\n';
    fclose(f);
    printf("lines=%ld\n", lines);
    return 0;
}
