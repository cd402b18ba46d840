namespace UserEmu.Tests.ProcessModel;

/// <summary>A freestanding C prelude for test programs: _start, raw syscalls and decimal output, without libc.</summary>
public static class MiniRuntime
{
    public const string Header = """
        typedef unsigned long size_t;
        static long sc6(long n, long a, long b, long c, long d, long e, long f) {
            register long r10 __asm__("r10") = d; register long r8 __asm__("r8") = e; register long r9 __asm__("r9") = f;
            long r;
            __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9) : "rcx", "r11", "memory");
            return r;
        }
        #define sc(n, a, b, c) sc6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
        enum { SYS_read = 0, SYS_write = 1, SYS_open = 2, SYS_close = 3, SYS_pipe = 22, SYS_dup2 = 33, SYS_nanosleep = 35,
               SYS_getpid = 39, SYS_fork = 57, SYS_vfork = 58, SYS_execve = 59, SYS_exit = 60, SYS_wait4 = 61, SYS_kill = 62,
               SYS_fcntl = 72, SYS_getppid = 110, SYS_setpgid = 109, SYS_getpgrp = 111, SYS_setsid = 112, SYS_getpgid = 121,
               SYS_getsid = 124, SYS_prctl = 157, SYS_exit_group = 231, SYS_waitid = 247, SYS_dup3 = 292, SYS_pipe2 = 293 };
        void *memset(void *d, int c, size_t n) { unsigned char *p = d; while (n--) *p++ = (unsigned char)c; return d; }
        void *memcpy(void *d, const void *s, size_t n) { unsigned char *p = d; const unsigned char *q = s; while (n--) *p++ = *q++; return d; }
        static size_t slen(const char *s) { size_t n = 0; while (s[n]) n++; return n; }
        static int seq(const char *a, const char *b) { while (*a && *a == *b) { a++; b++; } return *a == *b; }
        static void out(int fd, const char *s) { sc(SYS_write, fd, s, slen(s)); }
        static void num(int fd, long v) {
            char b[24]; int i = 23; b[i] = 0; int neg = v < 0; unsigned long u = neg ? -(unsigned long)v : (unsigned long)v;
            do { b[--i] = '0' + u % 10; u /= 10; } while (u);
            if (neg) b[--i] = '-';
            out(fd, b + i);
        }
        static void say(const char *s) { out(1, s); }
        static void sayn(const char *s, long v) { out(1, s); num(1, v); out(1, "\n"); }
        static __attribute__((noreturn)) void quit(int code) { for (;;) sc(SYS_exit_group, code, 0, 0); }
        static long waitpid_(long pid, int *st) { return sc6(SYS_wait4, pid, (long)st, 0, 0, 0, 0); }
        struct ksigaction { unsigned long handler, flags, restorer, mask; };
        static long sigdisp(int sig, unsigned long handler) {
            struct ksigaction a = { handler, 0x04000000 /* SA_RESTORER */, 0, 0 };
            return sc6(13, sig, (long)&a, 0, 8, 0, 0);
        }
        static unsigned long sighandler(int sig) { struct ksigaction a; memset(&a, 0, sizeof a); sc6(13, sig, 0, (long)&a, 8, 0, 0); return a.handler; }
        static unsigned long sigblocked(void) { unsigned long m = 0; sc6(14, 0, 0, (long)&m, 8, 0, 0); return m; }
        static long sigblock(unsigned long m) { return sc6(14, 0 /* SIG_BLOCK */, (long)&m, 0, 8, 0, 0); }
        int main(int argc, char **argv, char **envp);
        __attribute__((used)) static void start_c(long *sp) { int argc = (int)sp[0]; char **argv = (char **)(sp + 1); quit(main(argc, argv, argv + argc + 1)); }
        __asm__(".globl _start\n_start:\n xor %ebp,%ebp\n mov %rsp,%rdi\n and $-16,%rsp\n call start_c\n hlt\n");

        """;
}
