namespace UserEmu.Tests.Strace;

/// <summary>Guest programs for the strace oracle test: static, without libc, so that the native and emulated runs make the same calls.</summary>
public static class OraclePrograms
{
    /// <summary>File and descriptor calls: paths, open flags, fcntl, stat structs, buffers in and out, dirents, pipes, iovecs, errors.</summary>
    public const string Files = """
# File and descriptor calls: paths, flags, structs, buffers, errors.
.globl _start
.text
_start:
  mov $1,%eax; mov $1,%edi; lea msg(%rip),%rsi; mov $msglen,%edx; syscall
  mov $83,%eax; lea dir(%rip),%rdi; mov $0755,%esi; syscall
  mov $257,%eax; mov $-100,%rdi; lea file(%rip),%rsi; mov $0x241,%edx; mov $0640,%r10; syscall
  mov %rax,%r12
  mov $1,%eax; mov %r12,%rdi; lea long(%rip),%rsi; mov $longlen,%edx; syscall
  mov $8,%eax; mov %r12,%rdi; xor %esi,%esi; xor %edx,%edx; syscall
  mov $72,%eax; mov %r12,%rdi; mov $3,%esi; syscall
  mov $72,%eax; mov %r12,%rdi; mov $2,%esi; mov $1,%edx; syscall
  mov $72,%eax; mov %r12,%rdi; mov $1,%esi; syscall
  mov $3,%eax; mov %r12,%rdi; syscall
  mov $257,%eax; mov $-100,%rdi; lea file(%rip),%rsi; mov $0x80000,%edx; syscall
  mov %rax,%r12
  mov $0,%eax; mov %r12,%rdi; lea buf(%rip),%rsi; mov $16,%edx; syscall
  mov $0,%eax; mov %r12,%rdi; lea buf(%rip),%rsi; mov $100,%edx; syscall
  mov $5,%eax; mov %r12,%rdi; lea buf(%rip),%rsi; syscall
  mov $262,%eax; mov %r12,%rdi; lea empty(%rip),%rsi; lea buf(%rip),%rdx; mov $0x1000,%r10d; syscall
  mov $3,%eax; mov %r12,%rdi; syscall
  mov $3,%eax; mov %r12,%rdi; syscall
  mov $262,%eax; mov $-100,%rdi; lea devnull(%rip),%rsi; lea buf(%rip),%rdx; xor %r10d,%r10d; syscall
  mov $262,%eax; mov $-100,%rdi; lea nofile(%rip),%rsi; lea buf(%rip),%rdx; mov $0x100,%r10d; syscall
  mov $21,%eax; lea nofile(%rip),%rdi; mov $4,%esi; syscall
  mov $21,%eax; lea dir(%rip),%rdi; mov $7,%esi; syscall
  mov $257,%eax; mov $-100,%rdi; lea dir(%rip),%rsi; mov $0x90000,%edx; syscall
  mov %rax,%r12
  mov $217,%eax; mov %r12,%rdi; lea buf(%rip),%rsi; mov $1024,%edx; syscall
  mov $217,%eax; mov %r12,%rdi; lea buf(%rip),%rsi; mov $1024,%edx; syscall
  mov $3,%eax; mov %r12,%rdi; syscall
  mov $293,%eax; lea fds(%rip),%rdi; mov $0x80000,%esi; syscall
  mov $1,%eax; movslq fds+4(%rip),%rdi; lea msg(%rip),%rsi; mov $3,%edx; syscall
  mov $0,%eax; movslq fds(%rip),%rdi; lea buf(%rip),%rsi; mov $64,%edx; syscall
  mov $32,%eax; movslq fds(%rip),%rdi; syscall
  mov %rax,%r13
  mov $3,%eax; mov %r13,%rdi; syscall
  mov $3,%eax; movslq fds(%rip),%rdi; syscall
  mov $3,%eax; movslq fds+4(%rip),%rdi; syscall
  mov $20,%eax; mov $1,%edi; lea iov(%rip),%rsi; mov $2,%edx; syscall
  mov $87,%eax; lea file(%rip),%rdi; syscall
  mov $84,%eax; lea dir(%rip),%rdi; syscall
  mov $84,%eax; lea dir(%rip),%rdi; syscall
  mov $3,%eax; mov $-1,%rdi; syscall
  mov $231,%eax; xor %edi,%edi; syscall
.data
msg: .ascii "hi\n\1\0027\t\"\\"
.set msglen, . - msg
long: .ascii "0123456789012345678901234567890123456789"
.set longlen, . - long
dir: .asciz "/tmp/useremu-strace-oracle"
file: .asciz "/tmp/useremu-strace-oracle/f"
devnull: .asciz "/dev/null"
nofile: .asciz "/nonexistent/x"
empty: .asciz ""
p1: .ascii "ab"
p2: .ascii "c\n"
iov: .quad p1, 2, p2, 2
fds: .long 0, 0
buf: .space 1024
""";

    /// <summary>Memory mapping and signals: mmap flags, sigaction with a handler, masks, a signal delivered and returned from, an unknown syscall, a fault.</summary>
    public const string MemorySignals = """
# Memory mapping and signals: mmap flags, sigaction with a handler, masks, a delivered signal, a fault.
.globl _start
.text
_start:
  mov $9,%eax; xor %edi,%edi; mov $8192,%esi; mov $3,%edx; mov $0x22,%r10d; mov $-1,%r8; xor %r9,%r9; syscall
  mov %rax,%r12
  mov $10,%eax; mov %r12,%rdi; mov $4096,%esi; xor %edx,%edx; syscall
  mov $28,%eax; mov %r12,%rdi; mov $8192,%esi; mov $4,%edx; syscall
  mov $11,%eax; mov %r12,%rdi; mov $8192,%esi; syscall
  mov $11,%eax; mov $0x1001,%edi; mov $4096,%esi; syscall
  mov $12,%eax; xor %edi,%edi; syscall
  mov $13,%eax; mov $10,%edi; lea act(%rip),%rsi; xor %edx,%edx; mov $8,%r10d; syscall
  mov $13,%eax; mov $10,%edi; xor %esi,%esi; lea old(%rip),%rdx; mov $8,%r10d; syscall
  mov $14,%eax; xor %edi,%edi; lea set(%rip),%rsi; lea old(%rip),%rdx; mov $8,%r10d; syscall
  mov $14,%eax; mov $1,%edi; lea set(%rip),%rsi; xor %edx,%edx; mov $8,%r10d; syscall
  mov $39,%eax; syscall
  mov %rax,%rdi; mov $62,%eax; mov $10,%esi; syscall
  mov $186,%eax; syscall
  mov $39,%eax; syscall
  mov %rax,%rdi; mov $62,%eax; xor %esi,%esi; syscall
  mov $63,%eax; lea old(%rip),%rdi; syscall
  mov $97,%eax; mov $7,%edi; lea old(%rip),%rsi; syscall
  mov $302,%eax; xor %edi,%edi; mov $7,%esi; xor %edx,%edx; lea old(%rip),%r10; syscall
  mov $35,%eax; lea ts(%rip),%rdi; xor %esi,%esi; syscall
  mov $229,%eax; mov $1,%edi; lea old(%rip),%rsi; syscall
  mov $500,%eax; mov $1,%edi; mov $2,%esi; mov $3,%edx; mov $4,%r10d; mov $5,%r8d; mov $6,%r9d; syscall
  mov $95,%eax; mov $022,%edi; syscall
  mov %rax,%rdi; mov $95,%eax; syscall
  movl $0,0x1234
handler:
  mov $1,%eax; mov $1,%edi; lea hmsg(%rip),%rsi; mov $8,%edx; syscall
  ret
restorer:
  mov $15,%eax; syscall
.data
hmsg: .ascii "handler\n"
act: .quad handler, 0x14000000, restorer, 0x4000
set: .quad 0x2
ts: .quad 0, 1000
old: .space 512
""";

    /// <summary>A C program without libc (general registers only): loops, getcwd, pipe, poll, exit.</summary>
    public const string CProgram = """
/* Syscalls from C without libc: a loop, strings built at run time, getcwd, readlink, poll, affinity. */
typedef unsigned long u64;
static long sys(long n, long a, long b, long c, long d, long e, long f)
{
    long r;
    register long r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9) : "rcx", "r11", "memory");
    return r;
}
static char buf[256];
struct pollfd { int fd; short events, revents; };
void _start(void)
{
    for (int i = 0; i < 3; i++) {
        int n = 0;
        buf[n++] = 'l'; buf[n++] = 'i'; buf[n++] = 'n'; buf[n++] = 'e'; buf[n++] = ' ';
        buf[n++] = '0' + i; buf[n++] = '\n';
        sys(1, 1, (long)buf, n, 0, 0, 0);
    }
    sys(79, (long)buf, sizeof buf, 0, 0, 0, 0);
    sys(79, (long)buf, 2, 0, 0, 0, 0);
    int fds[2];
    sys(22, (long)fds, 0, 0, 0, 0, 0);
    struct pollfd p[2] = { { fds[0], 1, 0 }, { fds[1], 4, 0 } };
    sys(7, (long)p, 2, 0, 0, 0, 0);
    sys(1, fds[1], (long)"x", 1, 0, 0, 0);
    sys(7, (long)p, 2, 0, 0, 0, 0);
    sys(3, fds[0], 0, 0, 0, 0, 0);
    sys(3, fds[1], 0, 0, 0, 0, 0);
    sys(102, 0, 0, 0, 0, 0, 0);
    sys(104, 0, 0, 0, 0, 0, 0);
    sys(60, 7, 0, 0, 0, 0, 0);
}
""";

    /// <summary>A static glibc program: stdio, files, directories, pipes, poll, a signal handler, limits, then a fault when given an argument.</summary>
    public const string Glibc = """
/* A static glibc program: stdio, files, directories, pipes, poll, signals with a handler, limits, a fatal fault. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static volatile int got;
static void on_usr1(int sig) { got = sig; }

int main(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    fflush(stdout);
    mkdir("gdir", 0750);
    int fd = open("gdir/file", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dprintf(fd, "some text for the file, longer than thirty-two bytes\n");
    close(fd);
    struct stat st;
    stat("gdir/file", &st);
    lstat("gdir/missing", &st);
    fd = open("gdir/file", O_RDONLY | O_CLOEXEC);
    char buf[128];
    ssize_t n = read(fd, buf, sizeof buf);
    lseek(fd, 5, SEEK_SET);
    pread(fd, buf, 4, 10);
    fcntl(fd, F_GETFL);
    close(fd);
    DIR *d = opendir("gdir");
    while (readdir(d)) { }
    closedir(d);
    int p[2];
    pipe2(p, O_CLOEXEC);
    struct pollfd pf[2] = { { p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 } };
    poll(pf, 2, 0);
    struct iovec iov[2] = { { "ab", 2 }, { "cd", 2 } };
    writev(p[1], iov, 2);
    poll(pf, 2, 0);
    read(p[0], buf, sizeof buf);
    close(p[0]);
    close(p[1]);
    struct sigaction sa = { 0 };
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGTERM);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR1);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    struct utsname u;
    uname(&u);
    struct timespec ts = { 0, 1000 };
    nanosleep(&ts, NULL);
    void *m = mmap(NULL, 12288, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(m, 4096, PROT_READ);
    munmap(m, 12288);
    char cwd[256];
    getcwd(cwd, sizeof cwd);
    unlink("gdir/file");
    rmdir("gdir");
    access("gdir", F_OK);
    printf("read %zd, signal %d\n", n, got);
    fflush(stdout);
    if (argc > 1) *(volatile int *)16 = 0;
    return 3;
}
""";
}
