namespace UserEmu.Tests.Cpu;

/// <summary>C source of the native side of the differential tester: runs instruction bytes on the host CPU.</summary>
/// <remarks>
/// The program maps a code page and a data window at the fixed addresses of <see cref="CpuTestLayout"/>, then for
/// each case read from the input file: copies the bytes (followed by an absolute jump back), loads every GPR, the
/// flags, XMM registers, MXCSR and the GS base from the case, jumps in, and stores the same state back. Faults are
/// caught by a handler on an alternate stack that records the signal and the register state from the ucontext.
/// The record layouts must match <see cref="CpuSnapshot"/> and <see cref="NativeHarness"/>.
/// </remarks>
static class NativeHarnessSource
{
    public const string Text = """
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#define CODE_BASE 0x70000000UL
#define DATA_BASE 0x70100000UL
#define DATA_PAGES 2
#define PAGE 4096

struct cpu {
    uint64_t gpr[16];
    uint64_t rflags, rip;
    uint8_t xmm[16][16];
    uint32_t mxcsr;
    int32_t signo, sicode, pad;
    uint64_t siaddr, gsbase;
    uint8_t fx[512] __attribute__((aligned(16))); /* x87 state, FXSAVE image (its XMM/MXCSR parts are loaded first, then overridden) */
};
_Static_assert(sizeof(struct cpu) == 944, "layout");

struct cpu g_state_buf;
__attribute__((used)) uint64_t g_host_rsp, g_state, g_code, g_tmp_rsp;
static sigjmp_buf g_jmp;

void run_case(void);
void case_return(void);

__asm__(
    ".intel_syntax noprefix\n"
    ".globl run_case\n"
    "run_case:\n"
    "  push rbx\n push rbp\n push r12\n push r13\n push r14\n push r15\n"
    "  mov [rip+g_host_rsp], rsp\n"
    "  mov rdi, [rip+g_state]\n"
    "  fxrstor [rdi+432]\n"
    "  ldmxcsr [rdi+400]\n"
    "  movdqu xmm0, [rdi+144]\n movdqu xmm1, [rdi+160]\n movdqu xmm2, [rdi+176]\n movdqu xmm3, [rdi+192]\n"
    "  movdqu xmm4, [rdi+208]\n movdqu xmm5, [rdi+224]\n movdqu xmm6, [rdi+240]\n movdqu xmm7, [rdi+256]\n"
    "  movdqu xmm8, [rdi+272]\n movdqu xmm9, [rdi+288]\n movdqu xmm10, [rdi+304]\n movdqu xmm11, [rdi+320]\n"
    "  movdqu xmm12, [rdi+336]\n movdqu xmm13, [rdi+352]\n movdqu xmm14, [rdi+368]\n movdqu xmm15, [rdi+384]\n"
    "  push qword ptr [rdi+128]\n popfq\n"
    "  mov rax, [rdi]\n mov rcx, [rdi+8]\n mov rdx, [rdi+16]\n mov rbx, [rdi+24]\n"
    "  mov rbp, [rdi+40]\n mov rsi, [rdi+48]\n"
    "  mov r8, [rdi+64]\n mov r9, [rdi+72]\n mov r10, [rdi+80]\n mov r11, [rdi+88]\n"
    "  mov r12, [rdi+96]\n mov r13, [rdi+104]\n mov r14, [rdi+112]\n mov r15, [rdi+120]\n"
    "  mov rsp, [rdi+32]\n mov rdi, [rdi+56]\n"
    "  jmp qword ptr [rip+g_code]\n"
    ".globl case_return\n"
    "case_return:\n"
    "  mov [rip+g_tmp_rsp], rsp\n"
    "  mov rsp, [rip+g_host_rsp]\n"
    "  pushfq\n push rax\n"
    "  mov rax, [rip+g_state]\n"
    "  mov [rax+8], rcx\n mov [rax+16], rdx\n mov [rax+24], rbx\n mov [rax+40], rbp\n"
    "  mov [rax+48], rsi\n mov [rax+56], rdi\n mov [rax+64], r8\n mov [rax+72], r9\n"
    "  mov [rax+80], r10\n mov [rax+88], r11\n mov [rax+96], r12\n mov [rax+104], r13\n"
    "  mov [rax+112], r14\n mov [rax+120], r15\n"
    "  pop rcx\n mov [rax], rcx\n pop rcx\n mov [rax+128], rcx\n"
    "  mov rcx, [rip+g_tmp_rsp]\n mov [rax+32], rcx\n"
    "  movdqu [rax+144], xmm0\n movdqu [rax+160], xmm1\n movdqu [rax+176], xmm2\n movdqu [rax+192], xmm3\n"
    "  movdqu [rax+208], xmm4\n movdqu [rax+224], xmm5\n movdqu [rax+240], xmm6\n movdqu [rax+256], xmm7\n"
    "  movdqu [rax+272], xmm8\n movdqu [rax+288], xmm9\n movdqu [rax+304], xmm10\n movdqu [rax+320], xmm11\n"
    "  movdqu [rax+336], xmm12\n movdqu [rax+352], xmm13\n movdqu [rax+368], xmm14\n movdqu [rax+384], xmm15\n"
    "  stmxcsr [rax+400]\n"
    "  fxsave [rax+432]\n"
    "  fninit\n"
    /* Back to a C-friendly state: DF, AC and TF clear, default MXCSR. */
    "  push 0x202\n popfq\n"
    "  push 0x1f80\n ldmxcsr [rsp]\n add rsp, 8\n"
    "  pop r15\n pop r14\n pop r13\n pop r12\n pop rbp\n pop rbx\n"
    "  ret\n"
    ".att_syntax prefix\n");

static const int greg_of[16] = { REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
    REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15 };

static void on_signal(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    struct cpu *st = (struct cpu *)g_state;
    for (int i = 0; i < 16; i++) st->gpr[i] = uc->uc_mcontext.gregs[greg_of[i]];
    st->rip = uc->uc_mcontext.gregs[REG_RIP];
    st->rflags = uc->uc_mcontext.gregs[REG_EFL];
    if (uc->uc_mcontext.fpregs) {
        memcpy(st->xmm, uc->uc_mcontext.fpregs->_xmm, sizeof st->xmm);
        st->mxcsr = uc->uc_mcontext.fpregs->mxcsr;
        memcpy(st->fx, uc->uc_mcontext.fpregs, sizeof st->fx);
    }
    st->signo = sig;
    st->sicode = si->si_code;
    st->siaddr = (uint64_t)si->si_addr;
    siglongjmp(g_jmp, 1);
}

static void read_exact(FILE *f, void *p, size_t n) { if (fread(p, 1, n, f) != n) { perror("read"); exit(2); } }

int main(int argc, char **argv)
{
    if (argc != 3) return 2;
    FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "wb");
    if (!in || !out) { perror("open"); return 2; }
    uint8_t *code = mmap((void *)CODE_BASE, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    uint8_t *data = mmap((void *)DATA_BASE, (DATA_PAGES + 1) * PAGE, PROT_READ | PROT_WRITE,
        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (code != (void *)CODE_BASE || data != (void *)DATA_BASE) { perror("mmap"); return 3; }
    mprotect(data + DATA_PAGES * PAGE, PAGE, PROT_NONE);

    static uint8_t altstack[65536];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP };
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);

    uint32_t count;
    read_exact(in, &count, 4);
    g_state = (uint64_t)&g_state_buf;
    for (uint32_t k = 0; k < count; k++) {
        uint32_t len, dlen;
        uint8_t prot[DATA_PAGES];
        read_exact(in, &len, 4);
        if (len > 256) return 4;
        read_exact(in, code, len);
        /* jmp qword ptr [rip+0]; .quad case_return */
        code[len] = 0xff; code[len + 1] = 0x25;
        memset(code + len + 2, 0, 4);
        uint64_t back = (uint64_t)&case_return;
        memcpy(code + len + 6, &back, 8);
        __builtin___clear_cache((char *)code, (char *)code + len + 14);
        struct cpu *st = &g_state_buf;
        read_exact(in, st, sizeof *st);
        read_exact(in, prot, DATA_PAGES);
        read_exact(in, &dlen, 4);
        if (dlen > DATA_PAGES * PAGE) return 5;
        mprotect(data, DATA_PAGES * PAGE, PROT_READ | PROT_WRITE);
        memset(data, 0, DATA_PAGES * PAGE);
        read_exact(in, data, dlen);
        for (int p = 0; p < DATA_PAGES; p++)
            mprotect(data + p * PAGE, PAGE, (prot[p] & 1 ? PROT_READ : 0) | (prot[p] & 2 ? PROT_WRITE : 0));
        syscall(SYS_arch_prctl, ARCH_SET_GS, st->gsbase);
        st->signo = st->sicode = 0;
        st->siaddr = 0;
        g_code = CODE_BASE;
        if (sigsetjmp(g_jmp, 1) == 0) {
            run_case();
            st->rip = CODE_BASE + len;
        }
        mprotect(data, DATA_PAGES * PAGE, PROT_READ | PROT_WRITE);
        fwrite(st, sizeof *st, 1, out);
        fwrite(data, 1, dlen, out);
    }
    fclose(out);
    return 0;
}
""";
}
