/* Freestanding x86-64 Linux runtime for end-to-end tests: raw syscalls, printing, threads via clone, futexes.
   Built with -nostdlib -mgeneral-regs-only so the programs need no libc and no SSE. */
typedef unsigned long u64; typedef long i64; typedef unsigned int u32;
#define NULL ((void*)0)
static inline long sys6(long n, long a, long b, long c, long d, long e, long f) {
    register long r10 __asm__("r10") = d; register long r8 __asm__("r8") = e; register long r9 __asm__("r9") = f;
    long r; __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9) : "rcx", "r11", "memory");
    return r;
}
#define sys0(n) sys6(n,0,0,0,0,0,0)
#define sys1(n,a) sys6(n,(long)(a),0,0,0,0,0)
#define sys2(n,a,b) sys6(n,(long)(a),(long)(b),0,0,0,0)
#define sys3(n,a,b,c) sys6(n,(long)(a),(long)(b),(long)(c),0,0,0)
#define sys4(n,a,b,c,d) sys6(n,(long)(a),(long)(b),(long)(c),(long)(d),0,0)
enum { SYS_read=0, SYS_write=1, SYS_close=3, SYS_mmap=9, SYS_rt_sigaction=13, SYS_rt_sigprocmask=14, SYS_rt_sigreturn=15,
  SYS_pipe=22, SYS_sched_yield=24, SYS_pause=34, SYS_nanosleep=35, SYS_getitimer=36, SYS_alarm=37, SYS_setitimer=38,
  SYS_getpid=39, SYS_clone=56, SYS_exit=60, SYS_kill=62, SYS_rt_sigpending=127, SYS_rt_sigtimedwait=128,
  SYS_rt_sigqueueinfo=129, SYS_rt_sigsuspend=130, SYS_sigaltstack=131, SYS_gettid=186, SYS_tkill=200, SYS_futex=202,
  SYS_set_tid_address=218, SYS_timer_create=222, SYS_timer_settime=223, SYS_timer_gettime=224, SYS_timer_getoverrun=225,
  SYS_timer_delete=226, SYS_clock_gettime=228, SYS_exit_group=231, SYS_tgkill=234, SYS_set_robust_list=273,
  SYS_get_robust_list=274, SYS_clone3=435 };

static long slen(const char* s) { long n = 0; while (s[n]) n++; return n; }
static void puts_(const char* s) { sys3(SYS_write, 1, s, slen(s)); }
static void putnum(long v) {
    char b[24]; int i = 23; b[i] = 0; int neg = v < 0; unsigned long u = neg ? -(unsigned long)v : (unsigned long)v;
    do { b[--i] = '0' + u % 10; u /= 10; } while (u);
    if (neg) b[--i] = '-';
    puts_(b + i);
}
static void say(const char* label, long v) { puts_(label); puts_("="); putnum(v); puts_("\n"); }
static void exit_group(int s) { sys1(SYS_exit_group, s); for (;;); }

/* Signals */
struct ksigaction { void* handler; u64 flags; void* restorer; u64 mask; };
#define SA_SIGINFO 4
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000
#define SA_RESTORER 0x04000000
__asm__(".text\n.globl rt_restorer\nrt_restorer:\n mov $15, %eax\n syscall\n hlt\n");
void rt_restorer(void);
static long sigact(int sig, void* handler, u64 flags, u64 mask) {
    struct ksigaction a = { handler, flags | SA_RESTORER, rt_restorer, mask };
    return sys4(SYS_rt_sigaction, sig, &a, 0, 8);
}
#define BIT(s) (1UL << ((s) - 1))
static long sigmask(int how, u64 set, u64* old) { return sys4(SYS_rt_sigprocmask, how, &set, old, 8); }
typedef struct { int signo, errno_, code, pad; union { struct { int pid, uid; u64 value; } kill; void* addr; } u; char rest[96]; } siginfo;
/* ucontext: uc_flags, uc_link, stack_t (24), then mcontext gregs: r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags */
enum { REG_R8=0, REG_RDI=8, REG_RSI=9, REG_RBP=10, REG_RBX=11, REG_RDX=12, REG_RAX=13, REG_RCX=14, REG_RSP=15, REG_RIP=16, REG_EFL=17 };
static u64* gregs(void* uc) { return (u64*)((char*)uc + 40); }
static u64 uc_sigmask(void* uc) { return *(u64*)((char*)uc + 296); }

/* Futexes */
static long futex(int* addr, int op, int val, void* ts, int* addr2, int val3) { return sys6(SYS_futex, (long)addr, op, val, (long)ts, (long)addr2, val3); }
struct timespec { i64 sec, nsec; };

/* Threads: clone with the usual pthread flags; the child runs fn(arg) on its own stack then exits (not exit_group). */
__asm__(".text\n.globl rt_clone\nrt_clone:\n"
        " mov %rcx, %r10\n mov $56, %eax\n syscall\n test %rax, %rax\n jnz 1f\n"
        " pop %rax\n pop %rdi\n and $-16, %rsp\n call *%rax\n mov %eax, %edi\n mov $60, %eax\n syscall\n hlt\n1: ret\n");
long rt_clone(u64 flags, void* stack, int* ptid, int* ctid, void* tls);
#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_SIGHAND 0x800
#define CLONE_THREAD 0x10000
#define CLONE_SYSVSEM 0x40000
#define CLONE_SETTLS 0x80000
#define CLONE_PARENT_SETTID 0x100000
#define CLONE_CHILD_CLEARTID 0x200000
#define THREAD_FLAGS (CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID)
static void* rt_alloc(u64 size) { return (void*)sys6(SYS_mmap, 0, size, 3, 0x22, -1, 0); }
typedef struct { int tid; int pad; } thread_t;
static int thread_start(thread_t* t, int (*fn)(void*), void* arg) {
    u64* top = (u64*)((char*)rt_alloc(1 << 16) + (1 << 16));
    top -= 2; top[0] = (u64)fn; top[1] = (u64)arg;
    return (int)rt_clone(THREAD_FLAGS, top, &t->tid, &t->tid, 0);
}
/* pthread_join's way: the kernel zeroes the tid and wakes the futex when the thread is gone. */
static void thread_join(thread_t* t) {
    int v;
    while ((v = __atomic_load_n(&t->tid, __ATOMIC_ACQUIRE)) != 0) futex(&t->tid, 0, v, 0, 0, 0);
}
/* A futex mutex (Drepper's "mutex 2"): 0 free, 1 locked, 2 locked with waiters. */
static void lock(int* m) {
    int c = 0;
    if (__atomic_compare_exchange_n(m, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) return;
    if (c != 2) c = __atomic_exchange_n(m, 2, __ATOMIC_ACQUIRE);
    while (c != 0) { futex(m, 128, 2, 0, 0, 0); c = __atomic_exchange_n(m, 2, __ATOMIC_ACQUIRE); }
}
static void unlock(int* m) { if (__atomic_fetch_sub(m, 1, __ATOMIC_RELEASE) != 1) { __atomic_store_n(m, 0, __ATOMIC_RELEASE); futex(m, 129, 1, 0, 0, 0); } }
static void sleep_ms(long ms) { struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 }; sys2(SYS_nanosleep, &ts, 0); }
